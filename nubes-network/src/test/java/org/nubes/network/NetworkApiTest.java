package org.nubes.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.network.NetworkTestServer.body;
import static org.nubes.network.NetworkTestServer.create;
import static org.nubes.network.NetworkTestServer.network;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.http.HttpService;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.RouteTables;

/** Versions, extensions, networks, and the query options and tags every collection shares. */
class NetworkApiTest {
    private static NetworkTestServer server;

    @BeforeAll
    static void start() {
        server = new NetworkTestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyRouteDeclaresItsAccess() {
        var settings = new HttpService.Settings("127.0.0.1", 1 << 20, token -> {
            throw new IllegalStateException("not called");
        }, null);
        assertThat(RouteTables.assertEveryRouteDeclaresAccess(new HttpService(server.http().service(), settings)))
                .hasSizeGreaterThan(60);
    }

    @Test
    void versionsAndExtensions() {
        ApiClient anonymous = new ApiClient(server.url(), null);
        JsonNode versions = anonymous.get("/").json();
        assertThat(versions.path("versions").get(0).path("id").asText()).isEqualTo("v2.0");
        assertThat(versions.path("versions").get(0).path("links").get(0).path("href").asText()).endsWith("/v2.0/");
        assertThat(anonymous.get("/v2.0/").json().findValuesAsText("collection")).contains("networks", "floatingips");
        assertThat(anonymous.get("/v2.0/networks").status()).isEqualTo(401);

        ApiClient admin = server.admin();
        assertThat(admin.get("/v2.0/extensions").json().findValuesAsText("alias"))
                .contains("external-net", "router", "security-group", "quotas", "binding", "standard-attr-tag", "rbac-policies");
        assertThat(admin.get("/v2.0/extensions/router").json().path("extension").path("alias").asText()).isEqualTo("router");
        assertThat(admin.get("/v2.0/extensions/nope").status()).isEqualTo(404);
    }

    @Test
    void networkLifecycleWithNeutronsKeys() {
        var p = server.project("net-life", "member");
        ApiClient.Response created = p.client().post("/v2.0/networks", body("network", "name", "n1", "description", "d"));
        assertThat(created.status()).isEqualTo(201);
        JsonNode net = created.json().path("network");
        List<String> keys = new ArrayList<>();
        net.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("id", "name", "admin_state_up", "status", "shared", "router:external", "is_default", "mtu",
                "port_security_enabled", "description", "project_id", "tenant_id", "created_at", "updated_at",
                "revision_number", "tags", "subnets");
        assertThat(net.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(net.path("project_id").asText()).isEqualTo(p.id()).isEqualTo(net.path("tenant_id").asText());
        assertThat(net.path("mtu").asInt()).isEqualTo(1500);
        assertThat(net.path("shared").asBoolean()).isFalse();
        String id = net.path("id").asText();

        ApiClient.Response updated = p.client().put("/v2.0/networks/" + id, body("network", "name", "n2", "admin_state_up", false));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().path("network").path("name").asText()).isEqualTo("n2");
        assertThat(updated.json().path("network").path("revision_number").asInt()).isEqualTo(1);
        assertThat(p.client().get("/v2.0/networks/" + id).json().path("network").path("admin_state_up").asBoolean()).isFalse();

        assertThat(p.client().delete("/v2.0/networks/" + id).status()).isEqualTo(204);
        ApiClient.Response gone = p.client().get("/v2.0/networks/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("NeutronError").path("type").asText()).isEqualTo("NetworkNotFound");
    }

    @Test
    void badNetworkRequestsAre400AndAdminOnlyAttributes403() {
        ApiClient client = server.project("net-bad", "member").client();
        assertThat(client.post("/v2.0/networks", body("network", "bogus", 1)).json().path("NeutronError").path("message").asText())
                .contains("Unrecognized attribute(s) 'bogus'");
        assertThat(client.post("/v2.0/networks", body("network", "admin_state_up", "maybe")).status()).isEqualTo(400);
        assertThat(client.post("/v2.0/networks", body("network", "mtu", 9000)).status()).isEqualTo(400);
        assertThat(client.post("/v2.0/networks", body("network", "status", "DOWN")).status()).isEqualTo(400);
        assertThat(client.post("/v2.0/networks", body("network", "name", null)).status()).isEqualTo(400);
        assertThat(client.post("/v2.0/networks", body("network", "name", "x".repeat(256))).status()).isEqualTo(400);
        assertThat(client.post("/v2.0/networks", Json.object()).json().path("NeutronError").path("type").asText())
                .isEqualTo("HTTPBadRequest");
        assertThat(client.post("/v2.0/networks", "{not json").status()).isEqualTo(400);
        ApiClient.Response shared = client.post("/v2.0/networks", body("network", "shared", true));
        assertThat(shared.status()).isEqualTo(403);
        assertThat(client.get("/v2.0/networks").json().path("networks")).isEmpty();
    }

    @Test
    void projectsSeeOnlyTheirOwnAndSharedNetworks() {
        var alice = server.project("net-alice", "member");
        var bob = server.project("net-bob", "member");
        String mine = network(alice.client(), "alice-net");
        String shared = create(server.admin(), "networks", "network", "name", "everyone", "shared", true).path("id").asText();

        assertThat(bob.client().get("/v2.0/networks/" + mine).status()).isEqualTo(404);
        assertThat(bob.client().put("/v2.0/networks/" + mine, body("network", "name", "x")).status()).isEqualTo(404);
        assertThat(bob.client().delete("/v2.0/networks/" + mine).status()).isEqualTo(404);
        List<String> bobSees = bob.client().get("/v2.0/networks").json().findValuesAsText("id");
        assertThat(bobSees).contains(shared).doesNotContain(mine);
        assertThat(bob.client().delete("/v2.0/networks/" + shared).status()).isEqualTo(404);
        assertThat(server.admin().get("/v2.0/networks").json().findValuesAsText("id")).contains(mine, shared);
        assertThat(server.admin().delete("/v2.0/networks/" + shared).status()).isEqualTo(204);
    }

    @Test
    void listsFilterSortPageAndSelectFields() {
        var p = server.project("net-list", "member");
        ApiClient client = p.client();
        for (String name : List.of("c", "a", "b", "d", "e")) {
            create(client, "networks", "network", "name", name, "admin_state_up", !name.equals("e"));
        }
        assertThat(names(client.get("/v2.0/networks?name=a&name=c"))).containsExactlyInAnyOrder("a", "c");
        assertThat(names(client.get("/v2.0/networks?admin_state_up=False"))).containsExactly("e");
        assertThat(names(client.get("/v2.0/networks?sort_key=name&sort_dir=desc"))).containsExactly("e", "d", "c", "b", "a");

        JsonNode first = client.get("/v2.0/networks?sort_key=name&sort_dir=asc&limit=2").json();
        assertThat(first.findValuesAsText("name")).containsExactly("a", "b");
        String next = first.path("networks_links").get(0).path("href").asText();
        assertThat(first.path("networks_links").get(0).path("rel").asText()).isEqualTo("next");
        JsonNode second = client.get(next.substring(server.url().length())).json();
        assertThat(second.path("networks").findValuesAsText("name")).containsExactly("c", "d");
        assertThat(second.path("networks_links").findValuesAsText("rel")).containsExactlyInAnyOrder("next", "previous");
        JsonNode last = client.get(second.path("networks_links").get(0).path("href").asText().substring(server.url().length())).json();
        assertThat(last.path("networks").findValuesAsText("name")).containsExactly("e");

        JsonNode fields = client.get("/v2.0/networks?fields=id&fields=name&name=a").json().path("networks").get(0);
        assertThat(fields.size()).isEqualTo(2);
        assertThat(fields.has("id") && fields.has("name")).isTrue();
        assertThat(client.get("/v2.0/networks?fields=&name=a").json().path("networks").get(0).has("mtu")).isTrue();
        String id = fields.path("id").asText();
        assertThat(client.get("/v2.0/networks/" + id + "?fields=name").json().path("network").toString())
                .isEqualTo("{\"name\":\"a\"}");
        assertThat(client.get("/v2.0/networks?marker=missing").status()).isEqualTo(404);
        assertThat(client.get("/v2.0/networks?sort_dir=desc").status()).isEqualTo(400);
        assertThat(client.get("/v2.0/networks?sort_key=bogus").status()).isEqualTo(400);
        assertThat(client.get("/v2.0/networks?limit=x").status()).isEqualTo(400);
        JsonNode unlimited = client.get("/v2.0/networks?limit=0").json();
        assertThat(unlimited.path("networks")).hasSize(5);
        assertThat(unlimited.has("networks_links")).isFalse();
    }

    @Test
    void tagsOnResourcesAndTagFilters() {
        ApiClient client = server.project("net-tags", "member").client();
        String red = network(client, "red");
        String blue = network(client, "blue");
        assertThat(client.put("/v2.0/networks/" + red + "/tags/alpha", null).status()).isEqualTo(201);
        assertThat(client.put("/v2.0/networks/" + red + "/tags/beta", null).status()).isEqualTo(201);
        ApiClient.Response replaced = client.put("/v2.0/networks/" + blue + "/tags", Json.object().set("tags",
                Json.array().add("beta").add("gamma")));
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().path("tags")).hasSize(2);
        assertThat(client.get("/v2.0/networks/" + red + "/tags").json().path("tags").toString()).isEqualTo("[\"alpha\",\"beta\"]");
        assertThat(client.get("/v2.0/networks/" + red + "/tags/alpha").status()).isEqualTo(204);
        assertThat(client.get("/v2.0/networks/" + red + "/tags/gamma").status()).isEqualTo(404);

        assertThat(names(client.get("/v2.0/networks?tags=alpha,beta"))).containsExactly("red");
        assertThat(names(client.get("/v2.0/networks?tags-any=alpha,gamma"))).containsExactlyInAnyOrder("red", "blue");
        assertThat(names(client.get("/v2.0/networks?not-tags=beta,gamma"))).containsExactly("red");
        assertThat(names(client.get("/v2.0/networks?not-tags-any=alpha"))).containsExactly("blue");

        assertThat(client.delete("/v2.0/networks/" + red + "/tags/alpha").status()).isEqualTo(204);
        assertThat(client.delete("/v2.0/networks/" + red + "/tags/alpha").status()).isEqualTo(404);
        assertThat(client.delete("/v2.0/networks/" + blue + "/tags").status()).isEqualTo(204);
        assertThat(client.get("/v2.0/networks/" + blue).json().path("network").path("tags")).isEmpty();
        ApiClient other = server.project("net-tags-other", "member").client();
        assertThat(other.put("/v2.0/networks/" + red + "/tags/mine", null).status()).isEqualTo(404);
    }

    @Test
    void bulkCreateMakesAllOrNone() {
        var p = server.project("net-bulk", "member");
        ApiClient.Response made = p.client().post("/v2.0/networks", Json.object().set("networks", Json.array()
                .add(Json.object().put("name", "b1")).add(Json.object().put("name", "b2"))));
        assertThat(made.status()).isEqualTo(201);
        assertThat(made.json().path("networks").findValuesAsText("name")).containsExactly("b1", "b2");
        ApiClient.Response bad = p.client().post("/v2.0/networks", Json.object().set("networks", Json.array()
                .add(Json.object().put("name", "b3")).add(Json.object().put("mtu", 99999))));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(names(p.client().get("/v2.0/networks"))).containsExactlyInAnyOrder("b1", "b2");
        assertThat(p.client().post("/v2.0/networks", Json.object().set("networks", Json.array())).status()).isEqualTo(400);
    }

    @Test
    void readersMayNotWrite() {
        ApiClient reader = server.project("net-reader", "reader").client();
        assertThat(reader.get("/v2.0/networks").status()).isEqualTo(200);
        assertThat(reader.post("/v2.0/networks", body("network", "name", "x")).status()).isEqualTo(403);
    }

    static List<String> names(ApiClient.Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json().findValuesAsText("name");
    }
}
