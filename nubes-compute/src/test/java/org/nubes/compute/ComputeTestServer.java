package org.nubes.compute;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nubes.core.client.ServiceSession;
import org.nubes.core.config.Config;
import org.nubes.core.db.Database;
import org.nubes.core.http.CatalogEntry;
import org.nubes.core.http.HttpService;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.TestDatabases;
import org.nubes.identity.IdentityTestServer;
import org.nubes.identity.service.Bootstrap;
import org.nubes.image.ImageConfig;
import org.nubes.image.ImageService;

/**
 * The compute API on a random port with the services it calls: identity (tokens, catalog, the
 * service user) and image (what servers boot from), each over a fresh H2 database. Settings are
 * configuration keys on top of the defaults, so tests run with production defaults unless they
 * say otherwise.
 */
public final class ComputeTestServer implements AutoCloseable {
    public static final String SERVICE_PASSWORD = "service-secret";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final IdentityTestServer identity;
    private final Path imageDir;
    private final Database imageDatabase;
    private final Database computeDatabase;
    private final HttpService image;
    private final HttpService compute;
    private final ComputeService service;
    private final String url;
    private final String imageUrl;
    private String adminToken;

    public ComputeTestServer() {
        this(Map.of());
    }

    public ComputeTestServer(Map<String, String> settings) {
        identity = new IdentityTestServer(Map.of("identity.service_password", SERVICE_PASSWORD));
        try {
            imageDir = Files.createTempDirectory("nubes-compute-test-images");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> all = new HashMap<>(Map.of("data_dir", identity.dataDir().toString(), "image.port", "0",
                "image.store_dir", imageDir.toString(), "compute.port", "0", "compute.host", "test-host",
                "compute.driver", "fake"));
        all.putAll(settings);
        Config config = Config.defaults();
        for (var setting : all.entrySet()) {
            config = config.with(setting.getKey(), setting.getValue());
        }
        imageDatabase = Database.open(TestDatabases.h2());
        image = new HttpService(new ImageService(ImageConfig.from(config), imageDatabase), settings()).start();
        imageUrl = "http://127.0.0.1:" + image.port();
        computeDatabase = Database.open(TestDatabases.h2());
        service = new ComputeService(ComputeConfig.from(config), computeDatabase, () -> new ServiceSession.Credentials(
                identity.url(), Bootstrap.SERVICE_USER, SERVICE_PASSWORD, Bootstrap.SERVICE_PROJECT, "default"));
        compute = new HttpService(service, settings()).start();
        url = "http://127.0.0.1:" + compute.port();
        identity.identity().bootstrap(List.of(new CatalogEntry("identity", "keystone", identity.url()),
                new CatalogEntry("image", "glance", imageUrl), new CatalogEntry("compute", "nova", url + "/v2.1")));
    }

    private HttpService.Settings settings() {
        return new HttpService.Settings("127.0.0.1", 1 << 20, identity.identity().tokenValidator(), identity.url());
    }

    public String url() {
        return url;
    }

    public ComputeService service() {
        return service;
    }

    public HttpService http() {
        return compute;
    }

    public IdentityTestServer identity() {
        return identity;
    }

    /** A client of the compute API with the bootstrap admin's token. */
    public ApiClient admin() {
        if (adminToken == null) {
            adminToken = identity.admin().token();
        }
        return new ApiClient(url, adminToken);
    }

    public ApiClient anonymous() {
        return new ApiClient(url, null);
    }

    /** A project and a user with the role on it; the client carries that user's token. */
    public Project project(String name, String role) {
        List<String> ids = identity.projectWithUser(name, name + "-user", "pw-" + name, role);
        String token = identity.token(name + "-user", "pw-" + name, name);
        return new Project(ids.get(0), ids.get(1), new ApiClient(url, token));
    }

    public record Project(String id, String userId, ApiClient client) {}

    /** Creates an active raw image owned by the client's project (public when asked) and returns its id. */
    public String image(ApiClient client, String name, boolean isPublic) {
        ApiClient images = new ApiClient(imageUrl, client.token());
        var body = Json.object().put("name", name).put("disk_format", "raw").put("container_format", "bare");
        if (isPublic) {
            body.put("visibility", "public");
        }
        ApiClient.Response made = images.post("/v2/images", body);
        if (made.status() != 201) {
            throw new IllegalStateException("image create failed: " + made.status() + " " + made.text());
        }
        String id = made.json().path("id").asText();
        HttpRequest upload = HttpRequest.newBuilder(URI.create(imageUrl + "/v2/images/" + id + "/file"))
                .header("X-Auth-Token", client.token()).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofString("a tiny disk image\n")).build();
        try {
            HttpResponse<String> answer = HTTP.send(upload, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 204) {
                throw new IllegalStateException("image upload failed: " + answer.statusCode() + " " + answer.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return id;
    }

    /** The image API with the client's token. */
    public ApiClient images(ApiClient client) {
        return new ApiClient(imageUrl, client.token());
    }

    /** Waits until the bus is idle: every cast sent so far has been handled. */
    public void awaitIdle() {
        try {
            if (!service.bus().awaitIdle(Duration.ofSeconds(30))) {
                throw new IllegalStateException("the compute bus did not become idle in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The server after all work on it has been done. */
    public JsonNode settled(ApiClient client, String serverId) {
        awaitIdle();
        return client.get("/v2.1/servers/" + serverId).json().path("server");
    }

    @Override
    public void close() {
        compute.close();
        image.close();
        computeDatabase.close();
        imageDatabase.close();
        identity.close();
        try (var files = Files.walk(imageDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
