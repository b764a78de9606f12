package org.nubes.compute;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/** Host aggregates, and the availability zone they give their hosts (seen by users and the scheduler). */
class AggregateApiTest {
    private static ComputeTestServer cloud;
    private static ApiClient admin;

    @BeforeAll
    static void start() {
        cloud = new ComputeTestServer(Map.of("compute.fake_hosts", "2"));
        admin = cloud.admin();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static ApiClient.Response send(String method, String path, String json) {
        return admin.send(method, path, json == null ? null : Json.parse(json.getBytes()), "OpenStack-API-Version", "compute 2.53");
    }

    @Test
    void anAggregateWithAZoneMovesItsHostsThereAndTheSchedulerFollows() {
        ApiClient.Response made = send("POST", "/v2.1/os-aggregates", "{\"aggregate\": {\"name\": \"rack-1\", \"availability_zone\": \"az1\"}}");
        assertThat(made.status()).as(made.text()).isEqualTo(200);
        JsonNode aggregate = made.json().path("aggregate");
        assertThat(aggregate.has("hosts")).isFalse();
        assertThat(aggregate.path("uuid").asText()).hasSize(36);
        long id = aggregate.path("id").asLong();
        assertThat(send("POST", "/v2.1/os-aggregates", "{\"aggregate\": {\"name\": \"rack-1\"}}").status()).isEqualTo(409);

        JsonNode added = send("POST", "/v2.1/os-aggregates/" + id + "/action", "{\"add_host\": {\"host\": \"test-host-2\"}}")
                .json().path("aggregate");
        assertThat(added.path("hosts").toString()).isEqualTo("[\"test-host-2\"]");
        assertThat(added.path("metadata").path("availability_zone").asText()).isEqualTo("az1");
        assertThat(send("POST", "/v2.1/os-aggregates/" + id + "/action", "{\"add_host\": {\"host\": \"nowhere\"}}").status())
                .isEqualTo(404);

        JsonNode zones = send("GET", "/v2.1/os-availability-zone", null).json().path("availabilityZoneInfo");
        assertThat(zones.findValuesAsText("zoneName")).contains("az1", "nova");

        String image = cloud.image(admin, "base", true);
        ObjectNode body = ServerApiTest.serverBody("in-az1", image, "1");
        ((ObjectNode) body.get("server")).put("availability_zone", "az1");
        String server = admin.post("/v2.1/servers", body).json().path("server").path("id").asText();
        cloud.awaitIdle();
        JsonNode shown = admin.get("/v2.1/servers/" + server).json().path("server");
        assertThat(shown.path("OS-EXT-SRV-ATTR:host").asText()).isEqualTo("test-host-2");
        assertThat(shown.path("OS-EXT-AZ:availability_zone").asText()).isEqualTo("az1");
        admin.delete("/v2.1/servers/" + server);
        cloud.awaitIdle();

        JsonNode meta = send("POST", "/v2.1/os-aggregates/" + id + "/action",
                "{\"set_metadata\": {\"metadata\": {\"ssd\": \"true\"}}}").json().path("aggregate");
        assertThat(meta.path("metadata").path("ssd").asText()).isEqualTo("true");
        assertThat(send("DELETE", "/v2.1/os-aggregates/" + id, null).status()).isEqualTo(400);
        assertThat(send("POST", "/v2.1/os-aggregates/" + id + "/action", "{\"remove_host\": {\"host\": \"test-host-2\"}}").status())
                .isEqualTo(200);
        assertThat(send("DELETE", "/v2.1/os-aggregates/" + id, null).status()).isEqualTo(200);
        assertThat(send("GET", "/v2.1/os-aggregates/" + id, null).status()).isEqualTo(404);
    }

    @Test
    void onlyAnAdminManagesAggregates() {
        ComputeTestServer.Project member = cloud.project("agg-member", "member");
        assertThat(member.client().get("/v2.1/os-aggregates").status()).isEqualTo(403);
        assertThat(member.client().post("/v2.1/os-aggregates", Json.parse("{\"aggregate\": {\"name\": \"x\"}}".getBytes())).status())
                .isEqualTo(403);
    }
}
