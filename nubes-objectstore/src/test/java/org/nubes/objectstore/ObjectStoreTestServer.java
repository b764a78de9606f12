package org.nubes.objectstore;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.nubes.core.db.Database;
import org.nubes.core.http.HttpService;
import org.nubes.core.json.Json;
import org.nubes.core.testing.TestDatabases;
import org.nubes.identity.IdentityTestServer;
import org.nubes.objectstore.store.ListingStore;

/**
 * The object storage API on a random port over a fresh H2 database and temporary devices, with
 * tokens from an identity test server. The configuration is the production defaults but for the
 * port and the devices directory.
 */
public final class ObjectStoreTestServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final IdentityTestServer identity;
    private final Path devicesDir;
    private final Database database;
    private final ObjectStoreService service;
    private final HttpService http;
    private final String url;

    public ObjectStoreTestServer() {
        identity = new IdentityTestServer();
        try {
            devicesDir = Files.createTempDirectory("nubes-objectstore-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        database = Database.open(TestDatabases.h2());
        service = new ObjectStoreService(ObjectStoreConfig.defaults(devicesDir, 0), database, identity.identity().tokenValidator());
        // A JSON body cap far below the objects the tests upload: object data must stream past it.
        http = new HttpService(service, new HttpService.Settings("127.0.0.1", 64 * 1024,
                identity.identity().tokenValidator(), identity.url())).start();
        url = "http://127.0.0.1:" + http.port();
    }

    public String url() {
        return url;
    }

    public IdentityTestServer identity() {
        return identity;
    }

    public ObjectStoreService service() {
        return service;
    }

    public HttpService http() {
        return http;
    }

    public Path devicesDir() {
        return devicesDir;
    }

    /** The service's listings, for a test to change them as no request would. */
    public ListingStore listings() {
        return new ListingStore(database.jdbi());
    }

    /** A response's body as UTF-8 text. */
    public static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** A response's header, null when absent. */
    public static String header(HttpResponse<byte[]> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** A response's body as JSON. */
    public static JsonNode json(HttpResponse<byte[]> response) {
        return Json.parse(response.body());
    }

    /** A project with a user holding the role; requests go to that project's account. */
    public Client project(String name, String role) {
        List<String> ids = identity.projectWithUser(name, name + "-user", "pw-" + name, role);
        String token = identity.token(name + "-user", "pw-" + name, name);
        return new Client(url, "/v1/AUTH_" + ids.getFirst(), token, ids.getFirst(), ids.get(1));
    }

    /** An HTTP client bound to an account path, with or without a token. */
    public record Client(String url, String account, String token, String projectId, String userId) {
        public Client as(Client other) {
            return new Client(url, account, other.token, other.projectId, other.userId);
        }

        public Client anonymous() {
            return new Client(url, account, null, null, null);
        }

        /** Sends to account + path; headers are name, value pairs. */
        public HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + account + path)).timeout(Duration.ofSeconds(30));
            if (token != null) {
                request.header("X-Auth-Token", token);
            }
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            return send(request.build());
        }

        public HttpResponse<byte[]> send(HttpRequest request) {
            try {
                return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        public HttpResponse<byte[]> get(String path, String... headers) {
            return send("GET", path, null, headers);
        }

        public HttpResponse<byte[]> head(String path, String... headers) {
            return send("HEAD", path, null, headers);
        }

        public HttpResponse<byte[]> put(String path, byte[] body, String... headers) {
            return send("PUT", path, body == null ? new byte[0] : body, headers);
        }

        public HttpResponse<byte[]> post(String path, String... headers) {
            return send("POST", path, new byte[0], headers);
        }

        public HttpResponse<byte[]> delete(String path, String... headers) {
            return send("DELETE", path, null, headers);
        }
    }

    @Override
    public void close() {
        http.close();
        database.close();
        identity.close();
        try (var files = Files.walk(devicesDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
