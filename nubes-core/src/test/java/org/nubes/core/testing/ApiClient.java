package org.nubes.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.nubes.core.json.Json;

/** A small HTTP client for API tests: JSON in, status, headers and JSON out. */
public final class ApiClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;
    private final String token;

    public ApiClient(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    public ApiClient as(String otherToken) {
        return new ApiClient(baseUrl, otherToken);
    }

    public String baseUrl() {
        return baseUrl;
    }

    public String token() {
        return token;
    }

    public record Response(int status, java.net.http.HttpHeaders headers, String text) {
        public JsonNode json() {
            return text.isEmpty() ? MissingNode.getInstance() : Json.parse(text.getBytes());
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    public Response get(String path) {
        return send("GET", path, null, null);
    }

    public Response head(String path) {
        return send("HEAD", path, null, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null, null);
    }

    public Response post(String path, Object body) {
        return send("POST", path, body, null);
    }

    public Response put(String path, Object body) {
        return send("PUT", path, body, null);
    }

    public Response patch(String path, Object body) {
        return send("PATCH", path, body, null);
    }

    /** Sends with extra headers given as name, value pairs. */
    public Response send(String method, String path, Object body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("X-Auth-Token", token);
        }
        if (headers != null) {
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
        }
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        if (body instanceof String text) {
            publisher = HttpRequest.BodyPublishers.ofString(text);
            request.header("Content-Type", "application/json");
        } else if (body != null) {
            publisher = HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body));
            request.header("Content-Type", "application/json");
        }
        request.method(method, publisher);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body() == null ? "" : response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
