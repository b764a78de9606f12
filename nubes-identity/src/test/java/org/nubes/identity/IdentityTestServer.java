package org.nubes.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nubes.core.config.Config;
import org.nubes.core.config.DatabaseConfig;
import org.nubes.core.db.Database;
import org.nubes.core.http.HttpService;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.TestDatabases;
import org.nubes.identity.service.Bootstrap;

/**
 * The identity API on a random port over a fresh database, bootstrapped like a new cloud, for API
 * tests. bcrypt runs at cost 4 here: cost only changes how slow a hash is, and at 12 every
 * password authentication of a test would take a quarter of a second.
 */
public final class IdentityTestServer implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "admin-secret";

    private final Path dataDir;
    private final Database database;
    private final IdentityService identity;
    private final HttpService http;
    private final String url;

    public IdentityTestServer() {
        this(TestDatabases.h2());
    }

    public IdentityTestServer(DatabaseConfig databaseConfig) {
        this(databaseConfig, java.util.Map.of());
    }

    /** With configuration keys set on top of the test defaults (e.g. a short token lifetime). */
    public IdentityTestServer(java.util.Map<String, String> settings) {
        this(TestDatabases.h2(), settings);
    }

    public IdentityTestServer(DatabaseConfig databaseConfig, java.util.Map<String, String> settings) {
        try {
            dataDir = Files.createTempDirectory("nubes-identity-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Config config = Config.defaults()
                .with("data_dir", dataDir.toString())
                .with("identity.port", "0")
                .with("identity.bcrypt_cost", "4")
                .with("identity.admin_password", ADMIN_PASSWORD);
        for (var setting : settings.entrySet()) {
            config = config.with(setting.getKey(), setting.getValue());
        }
        database = Database.open(databaseConfig);
        identity = new IdentityService(IdentityConfig.from(config), database);
        http = new HttpService(identity, new HttpService.Settings("127.0.0.1", 1 << 20, identity.tokenValidator(), null)).start();
        url = "http://127.0.0.1:" + http.port();
        identity.bootstrap(identity.catalogEntries(url));
    }

    public String url() {
        return url;
    }

    public IdentityService identity() {
        return identity;
    }

    public HttpService http() {
        return http;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A client without a token. */
    public ApiClient anonymous() {
        return new ApiClient(url, null);
    }

    /** A client with a project-scoped token of the bootstrap admin. */
    public ApiClient admin() {
        return new ApiClient(url, token(Bootstrap.ADMIN_USER, ADMIN_PASSWORD, Bootstrap.ADMIN_PROJECT));
    }

    /** A project-scoped token for a user of the Default domain (project null: unscoped). */
    public String token(String user, String password, String project) {
        ApiClient.Response r = anonymous().post("/v3/auth/tokens", passwordAuth(user, password, project));
        if (r.status() != 201) {
            throw new IllegalStateException("authentication of " + user + " failed: " + r.status() + " " + r.text());
        }
        return r.header("X-Subject-Token");
    }

    public static ObjectNode passwordAuth(String user, String password, String project) {
        ObjectNode body = Json.object();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode u = identity.putObject("password").putObject("user");
        u.put("name", user).put("password", password).putObject("domain").put("id", "default");
        if (project != null) {
            auth.putObject("scope").putObject("project").put("name", project).putObject("domain").put("id", "default");
        }
        return body;
    }

    /** Creates a project and a user with the given role on it; returns {projectId, userId}. */
    public List<String> projectWithUser(String project, String user, String password, String role) {
        ApiClient admin = admin();
        ObjectNode p = Json.object();
        p.putObject("project").put("name", project).put("domain_id", "default");
        String projectId = admin.post("/v3/projects", p).json().path("project").path("id").asText();
        ObjectNode u = Json.object();
        u.putObject("user").put("name", user).put("password", password).put("domain_id", "default");
        String userId = admin.post("/v3/users", u).json().path("user").path("id").asText();
        String roleId = admin.get("/v3/roles?name=" + role).json().path("roles").path(0).path("id").asText();
        admin.put("/v3/projects/" + projectId + "/users/" + userId + "/roles/" + roleId, null);
        return List.of(projectId, userId);
    }

    @Override
    public void close() {
        http.close();
        database.close();
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
