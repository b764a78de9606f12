package org.nubes.core.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.nubes.core.http.ApiException;

/**
 * Calls to another service's API, found by its type in the session's catalog: a connection
 * failure or an unexpected answer becomes a 503 that names the service.
 */
final class Remote {
    /** How long a call may wait for its answer. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final ServiceSession session;
    private final String service;

    /** The service of that catalog type, which also names it in messages. */
    Remote(ServiceSession session, String service) {
        this.session = session;
        this.service = service;
    }

    /** Whether the cloud has the service at all. */
    boolean available() {
        return session.findEndpoint(service).isPresent();
    }

    /** The absolute URL of a path of the service's API. */
    String url(String path) {
        return session.endpoint(service) + path;
    }

    /** A request of the path with the token, waiting at most the call timeout. */
    HttpRequest.Builder request(String path, String token) {
        return streamingRequest(path, token).timeout(CALL_TIMEOUT);
    }

    /** A request that carries or fetches data, which may take long: without the call timeout. */
    HttpRequest.Builder streamingRequest(String path, String token) {
        return HttpRequest.newBuilder(URI.create(url(path))).header("X-Auth-Token", token);
    }

    /** Sends the request and reads the whole answer. */
    HttpResponse<byte[]> send(HttpRequest request) {
        return send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return send(session.http(), request, handler, service);
    }

    /** A service's unexpected answer as a 503 that says what was asked and what came back. */
    ApiException failed(String what, HttpResponse<byte[]> answer) {
        String detail = new String(answer.body(), StandardCharsets.UTF_8);
        if (detail.length() > 300) {
            detail = detail.substring(0, 300);
        }
        return new ApiException(ApiException.Kind.UNAVAILABLE,
                "The %s service could not %s (%d): %s".formatted(service, what, answer.statusCode(), detail.strip()));
    }

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
}
