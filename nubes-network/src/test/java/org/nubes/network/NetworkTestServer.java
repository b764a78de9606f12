package org.nubes.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.nubes.core.config.Config;
import org.nubes.core.db.Database;
import org.nubes.core.http.HttpService;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.TestDatabases;
import org.nubes.identity.IdentityTestServer;

/**
 * The networking API on a random port over a fresh H2 database, with tokens from an identity test
 * server, for API tests. Production defaults throughout.
 */
public final class NetworkTestServer implements AutoCloseable {
    private final IdentityTestServer identity;
    private final Database database;
    private final NetworkService service;
    private final HttpService http;
    private final String url;
    private String adminToken;

    public NetworkTestServer() {
        identity = new IdentityTestServer();
        // The noop driver: these tests are about the API; the dataplane has tests of its own.
        Config config = Config.defaults().with("data_dir", identity.dataDir().toString()).with("network.port", "0")
                .with("network.driver", "noop");
        database = Database.open(TestDatabases.h2());
        service = new NetworkService(NetworkConfig.from(config), database);
        http = new HttpService(service, new HttpService.Settings("127.0.0.1", 1 << 20,
                identity.identity().tokenValidator(), identity.url())).start();
        url = "http://127.0.0.1:" + http.port();
    }

    public String url() {
        return url;
    }

    public HttpService http() {
        return http;
    }

    public NetworkService service() {
        return service;
    }

    /** A client with the bootstrap admin's token (scoped to the admin project). */
    public ApiClient admin() {
        if (adminToken == null) {
            adminToken = identity.admin().token();
        }
        return new ApiClient(url, adminToken);
    }

    /** A new project with a user holding the role on it; the client carries that user's token. */
    public Project project(String name, String role) {
        List<String> ids = identity.projectWithUser(name, name + "-user", "pw-" + name, role);
        String token = identity.token(name + "-user", "pw-" + name, name);
        return new Project(ids.getFirst(), new ApiClient(url, token));
    }

    /** A project id and a client scoped to it. */
    public record Project(String id, ApiClient client) {}

    /** {"<resource>": {attributes}} */
    public static ObjectNode body(String resource, Object... pairs) {
        ObjectNode body = Json.object();
        ObjectNode inner = body.putObject(resource);
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            inner.set((String) pairs[i], Json.MAPPER.valueToTree(pairs[i + 1]));
        }
        return body;
    }

    /** POSTs and returns the created resource; fails unless 201. */
    public static JsonNode create(ApiClient client, String collection, String resource, Object... pairs) {
        ApiClient.Response r = client.post("/v2.0/" + collection, body(resource, pairs));
        if (r.status() != 201) {
            throw new IllegalStateException("create " + resource + " failed: " + r.status() + " " + r.text());
        }
        return r.json().path(resource);
    }

    public static String network(ApiClient client, String name) {
        return create(client, "networks", "network", "name", name).path("id").asText();
    }

    public static String subnet(ApiClient client, String networkId, String cidr) {
        return create(client, "subnets", "subnet", "network_id", networkId, "cidr", cidr, "ip_version",
                cidr.contains(":") ? 6 : 4).path("id").asText();
    }

    @Override
    public void close() {
        http.close();
        database.close();
        identity.close();
    }
}
