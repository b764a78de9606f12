package org.nubes.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.nubes.core.config.Config;
import org.nubes.core.db.Database;
import org.nubes.core.http.HttpService;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.TestDatabases;
import org.nubes.identity.IdentityTestServer;
import org.nubes.image.backend.FilesystemBackend;
import org.nubes.image.backend.ImageBackend;

/**
 * The image API on a random port over a fresh H2 database and a temporary store directory, with
 * tokens from an identity test server, for API tests. Settings are given as configuration keys on
 * top of the defaults, so tests run with production defaults unless they say otherwise.
 */
public final class ImageTestServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static final long MAX_JSON_BODY = 64 * 1024;

    private final IdentityTestServer identity;
    private final Path storeDir;
    private final Database database;
    private final HttpService http;
    private final String url;
    private String adminToken;

    public ImageTestServer() {
        this(Map.of());
    }

    public ImageTestServer(Map<String, String> settings) {
        this(settings, UnaryOperator.identity());
    }

    /** With the filesystem store wrapped, e.g. by a test double that fails on purpose. */
    public ImageTestServer(Map<String, String> settings, UnaryOperator<ImageBackend> backend) {
        identity = new IdentityTestServer();
        try {
            storeDir = Files.createTempDirectory("nubes-image-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Config config = Config.defaults()
                .with("data_dir", identity.dataDir().toString())
                .with("image.port", "0")
                .with("image.store_dir", storeDir.toString());
        for (var setting : settings.entrySet()) {
            config = config.with(setting.getKey(), setting.getValue());
        }
        database = org.nubes.core.db.Database.open(TestDatabases.h2());
        ImageConfig imageConfig = ImageConfig.from(config);
        ImageService service = new ImageService(imageConfig, database,
                backend.apply(new FilesystemBackend(imageConfig.storeDir())));
        // A body cap far below the images the tests upload: image data must stream past it.
        http = new HttpService(service, new HttpService.Settings("127.0.0.1", MAX_JSON_BODY,
                identity.identity().tokenValidator(), identity.url())).start();
        url = "http://127.0.0.1:" + http.port();
    }

    public String url() {
        return url;
    }

    public int port() {
        return http.port();
    }

    public Path storeDir() {
        return storeDir;
    }

    public HttpService http() {
        return http;
    }

    /** A client of the image API with the bootstrap admin's token. */
    public ApiClient admin() {
        if (adminToken == null) {
            adminToken = identity.admin().token();
        }
        return new ApiClient(url, adminToken);
    }

    public ApiClient anonymous() {
        return new ApiClient(url, null);
    }

    /** A new project with a user holding the role on it; the client carries that user's token. */
    public Project project(String name, String role) {
        List<String> ids = identity.projectWithUser(name, name + "-user", "pw-" + name, role);
        String token = identity.token(name + "-user", "pw-" + name, name);
        return new Project(ids.getFirst(), new ApiClient(url, token));
    }

    /** A project id and a client scoped to it. */
    public record Project(String id, ApiClient client) {}

    /** Creates a raw/bare image and returns its id. */
    public static String createImage(ApiClient client, String name, String visibility) {
        var body = Json.object().put("name", name).put("disk_format", "raw").put("container_format", "bare");
        if (visibility != null) {
            body.put("visibility", visibility);
        }
        ApiClient.Response r = client.post("/v2/images", body);
        if (r.status() != 201) {
            throw new IllegalStateException("create failed: " + r.status() + " " + r.text());
        }
        return r.json().path("id").asText();
    }

    /** PATCH with Glance's JSON-patch media type (ApiClient would add a second Content-Type). */
    public ApiClient.Response patch(ApiClient client, String id, Object operations) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v2/images/" + id)).timeout(Duration.ofSeconds(30))
                .header("X-Auth-Token", client.token())
                .header("Content-Type", "application/openstack-images-v2.1-json-patch")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Json.bytes(operations))).build();
        HttpResponse<String> r = send(request, HttpResponse.BodyHandlers.ofString());
        return new ApiClient.Response(r.statusCode(), r.headers(), r.body());
    }

    /** PUT of raw bytes with Content-Type application/octet-stream. */
    public HttpResponse<String> putData(ApiClient client, String path, HttpRequest.BodyPublisher body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .header("X-Auth-Token", client.token()).header("Content-Type", "application/octet-stream")
                .PUT(body).build();
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> upload(ApiClient client, String id, byte[] data) {
        return putData(client, "/v2/images/" + id + "/file", HttpRequest.BodyPublishers.ofByteArray(data));
    }

    /** GET of the image data, with the given headers as name, value pairs. */
    public HttpResponse<byte[]> download(ApiClient client, String id, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/v2/images/" + id + "/file"))
                .timeout(Duration.ofSeconds(60)).header("X-Auth-Token", client.token());
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<InputStream> downloadStream(ApiClient client, String id) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v2/images/" + id + "/file"))
                .timeout(Duration.ofSeconds(60)).header("X-Auth-Token", client.token()).GET().build();
        return send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    private static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return HTTP.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        http.close();
        database.close();
        identity.close();
        try (var files = Files.walk(storeDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
