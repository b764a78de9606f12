package org.nubes.core.client;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.nubes.core.http.ApiException;

/** Sending to another service: a connection failure becomes a 503 that names the service. */
final class Remote {
    private Remote() {}

    static <T> HttpResponse<T> send(HttpClient http, HttpRequest request, HttpResponse.BodyHandler<T> handler, String service) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new ApiException(ApiException.Kind.UNAVAILABLE,
                    "The %s service at %s cannot be reached: %s".formatted(service, request.uri().getAuthority(), e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiException.Kind.UNAVAILABLE, "Interrupted while calling the " + service + " service.", e);
        }
    }

    /** A service's unexpected answer as a 503 that says what was asked and what came back. */
    static ApiException failed(String service, String what, HttpResponse<byte[]> answer) {
        String detail = new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8);
        if (detail.length() > 300) {
            detail = detail.substring(0, 300);
        }
        return new ApiException(ApiException.Kind.UNAVAILABLE,
                "The %s service could not %s (%d): %s".formatted(service, what, answer.statusCode(), detail.strip()));
    }
}
