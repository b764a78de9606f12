package org.nubes.core.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.function.Supplier;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;

/**
 * The image service (Glance v2) as another service sees it. Calls made on behalf of a user carry
 * that user's token, so the user sees exactly the images Glance shows them; calls of the service
 * itself (reading data to boot, writing a snapshot) carry the service token.
 */
public final class ImageClient {
    private final ServiceSession session;
    private final Remote api;

    public ImageClient(ServiceSession session) {
        this.session = session;
        this.api = new Remote(session, "image");
    }

    /** The absolute URL of a path of the image API. */
    public String url(String path) {
        return api.url(path);
    }

    /** The image as the token's owner sees it, or empty when they cannot see it. */
    public Optional<JsonNode> show(String token, String id) {
        HttpResponse<byte[]> answer = api.send(api.request("/v2/images/" + id, token).GET().build());
        return switch (answer.statusCode()) {
            case 200 -> Optional.of(Json.parse(answer.body()));
            case 404 -> Optional.empty();
            default -> throw api.failed("show image " + id, answer);
        };
    }

    /** The image as the service sees it (any project's), or empty when it does not exist. */
    public Optional<JsonNode> show(String id) {
        return show(session.token(), id);
    }

    /** The first image of that name the service sees, or empty. */
    public Optional<JsonNode> findByName(String name) {
        HttpResponse<byte[]> answer = api.send(api.request("/v2/images?name=" + java.net.URLEncoder.encode(name,
                java.nio.charset.StandardCharsets.UTF_8), session.token()).GET().build());
        if (answer.statusCode() != 200) {
            throw api.failed("list images", answer);
        }
        JsonNode images = Json.parse(answer.body()).path("images");
        return images.isEmpty() ? Optional.empty() : Optional.of(images.get(0));
    }

    /** The service's own token, for records the service creates itself (public images). */
    public String serviceToken() {
        return session.token();
    }

    /** Creates an image record (queued) as the token's owner and returns it. */
    public JsonNode create(String token, ObjectNode image) {
        HttpResponse<byte[]> answer = api.send(api.request("/v2/images", token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(image))).build());
        if (answer.statusCode() != 201) {
            throw api.failed("create an image", answer);
        }
        return Json.parse(answer.body());
    }

    /** Streams the image's data; the caller closes the stream. */
    public InputStream download(String id) {
        HttpRequest request = api.streamingRequest("/v2/images/" + id + "/file", session.token()).GET().build();
        HttpResponse<InputStream> answer = api.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (answer.statusCode() != 200) {
            try (InputStream body = answer.body()) {
                throw new ApiException(ApiException.Kind.UNAVAILABLE, "The image service answered %d to a download of image %s."
                        .formatted(answer.statusCode(), id));
            } catch (java.io.IOException e) {
                throw new ApiException(ApiException.Kind.UNAVAILABLE, "Download of image " + id + " failed: " + e.getMessage(), e);
            }
        }
        return answer.body();
    }

    /** Uploads data to a queued image with the service token. */
    public void upload(String id, Supplier<InputStream> data) {
        HttpRequest request = api.streamingRequest("/v2/images/" + id + "/file", session.token())
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(data)).build();
        HttpResponse<byte[]> answer = api.send(request);
        if (answer.statusCode() != 204) {
            throw api.failed("upload data of image " + id, answer);
        }
    }

    /** Deletes an image with the service token; a missing image is already deleted. */
    public void delete(String id) {
        HttpResponse<byte[]> answer = api.send(api.request("/v2/images/" + id, session.token()).DELETE().build());
        if (answer.statusCode() != 204 && answer.statusCode() != 404) {
            throw api.failed("delete image " + id, answer);
        }
    }
}
