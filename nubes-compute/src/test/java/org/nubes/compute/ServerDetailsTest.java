package org.nubes.compute;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.compute.agent.ComputeAgent;
import org.nubes.compute.driver.fake.FakeDriver;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/** Lists with filters and paging, metadata, tags, locks, and the agent's power state sync. */
class ServerDetailsTest {
    private static ComputeTestServer cloud;
    private static ComputeTestServer.Project project;
    private static ApiClient client;
    private static String image;

    @BeforeAll
    static void start() {
        cloud = new ComputeTestServer(java.util.Map.of("compute.quota_instances", "-1", "compute.quota_cores", "-1",
                "compute.quota_ram", "-1"));
        project = cloud.project("details", "member");
        client = project.client();
        image = cloud.image(cloud.admin(), "base", true);
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static ApiClient.Response send(String method, String path, Object body, String version) {
        return client.send(method, path, body, "OpenStack-API-Version", "compute " + version);
    }

    private static String boot(String name, ObjectNode extra) {
        ObjectNode body = ServerApiTest.serverBody(name, image, "1");
        ((ObjectNode) body.get("server")).put("networks", "none");
        if (extra != null) {
            ((ObjectNode) body.get("server")).setAll(extra);
        }
        ApiClient.Response r = send("POST", "/v2.1/servers", body, "2.53");
        assertThat(r.status()).as(r.text()).isEqualTo(202);
        cloud.awaitIdle();
        return r.json().path("server").path("id").asText();
    }

    @Test
    void listsFilterAndPage() {
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            ids.add(boot("page-" + n, null));
        }
        JsonNode first = send("GET", "/v2.1/servers?name=%5Epage-&limit=2", null, "2.1").json();
        assertThat(first.path("servers").size()).isEqualTo(2);
        assertThat(first.path("servers").get(0).path("name").asText()).isEqualTo("page-4");
        String next = first.path("servers_links").get(0).path("href").asText();
        assertThat(next).contains("marker=" + ids.get(3));
        JsonNode rest = send("GET", "/v2.1/servers?name=%5Epage-&limit=10&marker=" + ids.get(3), null, "2.1").json();
        assertThat(rest.path("servers").findValuesAsText("name")).containsExactly("page-2", "page-1", "page-0");
        assertThat(rest.has("servers_links")).isFalse();

        ApiClient.Response stop = client.post("/v2.1/servers/" + ids.get(0) + "/action", Json.parse("{\"os-stop\": null}".getBytes()));
        assertThat(stop.status()).isEqualTo(202);
        cloud.awaitIdle();
        assertThat(send("GET", "/v2.1/servers/detail?status=SHUTOFF&name=%5Epage-", null, "2.1").json().path("servers")
                .findParents("status").stream().map(n -> n.path("id").asText()).toList()).containsExactly(ids.get(0));
        assertThat(send("GET", "/v2.1/servers?status=BOGUS", null, "2.38").status()).isEqualTo(400);
        assertThat(send("GET", "/v2.1/servers?status=BOGUS", null, "2.37").json().path("servers").size()).isZero();
        assertThat(send("GET", "/v2.1/servers?marker=no-such-server", null, "2.1").status()).isEqualTo(400);
        assertThat(send("GET", "/v2.1/servers?all_tenants=1", null, "2.1").status()).isEqualTo(403);

        String since = java.time.Instant.now().toString();
        client.delete("/v2.1/servers/" + ids.get(1));
        cloud.awaitIdle();
        JsonNode changed = send("GET", "/v2.1/servers/detail?changes-since=" + since, null, "2.1").json().path("servers");
        assertThat(changed.findValuesAsText("status")).contains("DELETED");
    }

    @Test
    void metadataTagsAndDescription() {
        ObjectNode extra = Json.object();
        extra.putObject("metadata").put("role", "db");
        extra.putArray("tags").add("blue").add("prod");
        extra.put("description", "the database");
        String id = boot("meta", extra);
        JsonNode server = send("GET", "/v2.1/servers/" + id, null, "2.53").json().path("server");
        assertThat(server.path("metadata").path("role").asText()).isEqualTo("db");
        assertThat(server.path("tags").toString()).isEqualTo("[\"blue\",\"prod\"]");
        assertThat(server.path("description").asText()).isEqualTo("the database");
        assertThat(send("GET", "/v2.1/servers/" + id, null, "2.18").json().path("server").has("description")).isFalse();

        ApiClient.Response tagged = send("GET", "/v2.1/servers?tags=blue", null, "2.26");
        assertThat(tagged.json().path("servers").findValuesAsText("id")).containsExactly(id);
        assertThat(send("PUT", "/v2.1/servers/" + id + "/tags/green", null, "2.26").status()).isEqualTo(201);
        assertThat(send("GET", "/v2.1/servers/" + id + "/tags", null, "2.26").json().path("tags").toString())
                .isEqualTo("[\"blue\",\"green\",\"prod\"]");
        assertThat(send("GET", "/v2.1/servers/" + id + "/tags", null, "2.25").status()).isEqualTo(404);

        ObjectNode meta = Json.object();
        meta.putObject("meta").put("tier", "gold");
        assertThat(send("PUT", "/v2.1/servers/" + id + "/metadata/tier", meta, "2.1").status()).isEqualTo(200);
        assertThat(send("GET", "/v2.1/servers/" + id + "/metadata", null, "2.1").json().path("metadata").toString())
                .isEqualTo("{\"role\":\"db\",\"tier\":\"gold\"}");
        assertThat(send("PUT", "/v2.1/servers/" + id + "/metadata/other", meta, "2.1").status()).isEqualTo(400);
        assertThat(send("DELETE", "/v2.1/servers/" + id + "/metadata/role", null, "2.1").status()).isEqualTo(204);
        assertThat(send("GET", "/v2.1/servers/" + id + "/metadata/role", null, "2.1").status()).isEqualTo(404);

        ObjectNode rename = Json.object();
        rename.putObject("server").put("name", "renamed").put("description", "still the database");
        JsonNode updated = send("PUT", "/v2.1/servers/" + id, rename, "2.19").json().path("server");
        assertThat(updated.path("name").asText()).isEqualTo("renamed");
        assertThat(updated.path("description").asText()).isEqualTo("still the database");
    }

    @Test
    void aLockedServerRefusesActionsOfItsProjectButNotOfTheAdmin() {
        String id = boot("locked", null);
        ObjectNode portWithAddress = Json.object();
        portWithAddress.putObject("interfaceAttachment").put("port_id", "6b8a2d3e-0000-4000-8000-000000000001")
                .putArray("fixed_ips").addObject().put("ip_address", "10.0.0.5");
        ApiClient.Response both = client.post("/v2.1/servers/" + id + "/os-interface", portWithAddress);
        assertThat(both.status()).as("as in a create: a port has its addresses").isEqualTo(400);
        assertThat(both.json().path("badRequest").path("message").asText()).contains("the two cannot be specified together");
        assertThat(client.post("/v2.1/servers/" + id + "/action", Json.parse("{\"lock\": null}".getBytes())).status()).isEqualTo(202);
        assertThat(send("GET", "/v2.1/servers/" + id, null, "2.9").json().path("server").path("locked").asBoolean()).isTrue();
        ApiClient.Response refused = client.post("/v2.1/servers/" + id + "/action", Json.parse("{\"os-stop\": null}".getBytes()));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().path("conflictingRequest").path("message").asText()).isEqualTo("Instance " + id + " is locked");
        assertThat(client.delete("/v2.1/servers/" + id).status()).isEqualTo(409);
        String portId = "6b8a2d3e-0000-4000-8000-000000000001";
        ObjectNode attach = Json.object();
        attach.putObject("interfaceAttachment").put("port_id", portId);
        for (ApiClient.Response locked : List.of(client.post("/v2.1/servers/" + id + "/os-interface", attach),
                client.delete("/v2.1/servers/" + id + "/os-interface/" + portId))) {
            assertThat(locked.status()).as(locked.text()).isEqualTo(409);
            assertThat(locked.json().path("conflictingRequest").path("message").asText()).isEqualTo("Instance " + id + " is locked");
        }
        // The admin is not held by the lock: the detach gets as far as the port, which the server does not have.
        assertThat(cloud.admin().delete("/v2.1/servers/" + id + "/os-interface/" + portId).status()).isEqualTo(404);
        assertThat(cloud.admin().post("/v2.1/servers/" + id + "/action", Json.parse("{\"os-stop\": null}".getBytes())).status())
                .isEqualTo(202);
        cloud.awaitIdle();
        assertThat(client.post("/v2.1/servers/" + id + "/action", Json.parse("{\"unlock\": null}".getBytes())).status()).isEqualTo(202);
        assertThat(client.delete("/v2.1/servers/" + id).status()).isEqualTo(204);
        cloud.awaitIdle();
    }

    @Test
    void aServerThatDiesOutsideTheCloudBecomesShutoffAtTheNextSync() {
        String id = boot("crashing", null);
        ComputeAgent agent = cloud.service().agents().getFirst();
        ((FakeDriver) agent.driver()).crash(id);
        agent.syncPowerStates();
        JsonNode server = send("GET", "/v2.1/servers/" + id, null, "2.1").json().path("server");
        assertThat(server.path("status").asText()).isEqualTo("SHUTOFF");
        assertThat(server.path("OS-EXT-STS:power_state").asInt()).isEqualTo(4);
        assertThat(client.post("/v2.1/servers/" + id + "/action", Json.parse("{\"os-start\": null}".getBytes())).status()).isEqualTo(202);
        assertThat(cloud.settled(client, id).path("status").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void createImageSnapshotsIntoTheImageService() {
        String id = boot("snapshotted", null);
        ObjectNode body = Json.object();
        body.putObject("createImage").put("name", "snap").putObject("metadata").put("purpose", "backup");
        ApiClient.Response made = send("POST", "/v2.1/servers/" + id + "/action", body, "2.45");
        assertThat(made.status()).as(made.text()).isEqualTo(202);
        String imageId = made.json().path("image_id").asText();
        cloud.awaitIdle();
        JsonNode snapshot = cloud.images(client).get("/v2/images/" + imageId).json();
        assertThat(snapshot.path("status").asText()).isEqualTo("active");
        assertThat(snapshot.path("instance_uuid").asText()).isEqualTo(id);
        assertThat(snapshot.path("purpose").asText()).isEqualTo("backup");
        assertThat(snapshot.path("owner").asText()).isEqualTo(project.id());
        ApiClient.Response old = send("POST", "/v2.1/servers/" + id + "/action", body, "2.44");
        assertThat(old.status()).isEqualTo(202);
        assertThat(old.header("Location")).contains("/v2/images/");
        cloud.awaitIdle();
    }
}
