package org.nubes.compute;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.compute.driver.fake.FakeDriver;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

class ServerApiTest {
    private static ComputeTestServer cloud;
    private static ComputeTestServer.Project alpha;
    private static ComputeTestServer.Project beta;
    private static String image;

    @BeforeAll
    static void start() {
        cloud = new ComputeTestServer();
        alpha = cloud.project("alpha", "member");
        beta = cloud.project("beta", "member");
        image = cloud.image(cloud.admin(), "cirros", true);
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    static ObjectNode serverBody(String name, String image, String flavor) {
        ObjectNode body = Json.object();
        body.putObject("server").put("name", name).put("imageRef", image).put("flavorRef", flavor);
        return body;
    }

    private static ApiClient.Response create(ApiClient client, ObjectNode body, String version) {
        return client.send("POST", "/v2.1/servers", body, "OpenStack-API-Version", "compute " + version);
    }

    @Test
    void aServerIsBuiltScheduledAndBecomesActive() {
        ApiClient.Response made = create(alpha.client(), serverBody("web-1", image, "1"), "2.1");
        assertThat(made.status()).as(made.text()).isEqualTo(202);
        assertThat(made.header("OpenStack-API-Version")).isEqualTo("compute 2.1");
        JsonNode server = made.json().path("server");
        assertThat(server.path("adminPass").asText()).hasSizeGreaterThan(8);
        String id = server.path("id").asText();

        JsonNode shown = cloud.settled(alpha.client(), id);
        assertThat(shown.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(shown.path("OS-EXT-STS:vm_state").asText()).isEqualTo("active");
        assertThat(shown.path("OS-EXT-STS:power_state").asInt()).isEqualTo(1);
        assertThat(shown.path("OS-EXT-STS:task_state").isNull()).isTrue();
        assertThat(shown.path("hostId").asText()).hasSize(56);
        assertThat(shown.has("OS-EXT-SRV-ATTR:host")).isFalse();
        assertThat(shown.path("flavor").path("id").asText()).isEqualTo("1");
        assertThat(shown.has("locked")).isFalse();

        ApiClient.Response asAdmin = cloud.admin().send("GET", "/v2.1/servers/" + id, null, "OpenStack-API-Version", "compute 2.53");
        assertThat(asAdmin.json().path("server").path("OS-EXT-SRV-ATTR:host").asText()).isEqualTo("test-host");
        assertThat(asAdmin.json().path("server").path("locked").asBoolean()).isFalse();
        assertThat(asAdmin.json().path("server").path("tags").isArray()).isTrue();

        ApiClient.Response otherProject = beta.client().get("/v2.1/servers/" + id);
        assertThat(otherProject.status()).isEqualTo(404);
        assertThat(otherProject.json().path("itemNotFound").path("message").asText()).contains(id);

        assertThat(alpha.client().get("/v2.1/servers").json().path("servers").toString()).contains(id);
        assertThat(beta.client().get("/v2.1/servers").json().path("servers").toString()).doesNotContain(id);

        assertThat(alpha.client().delete("/v2.1/servers/" + id).status()).isEqualTo(204);
        cloud.awaitIdle();
        assertThat(alpha.client().get("/v2.1/servers/" + id).status()).isEqualTo(404);
        assertThat(cloud.service().agents().getFirst().driver().instances()).doesNotContain(id);
    }

    @Test
    void actionsMoveTheStatesAsNovaShowsThem() {
        String id = create(alpha.client(), serverBody("actions", image, "1"), "2.1").json().path("server").path("id").asText();
        assertThat(cloud.settled(alpha.client(), id).path("status").asText()).isEqualTo("ACTIVE");

        assertThat(action(id, "{\"os-stop\": null}").status()).isEqualTo(202);
        JsonNode stopped = cloud.settled(alpha.client(), id);
        assertThat(stopped.path("status").asText()).isEqualTo("SHUTOFF");
        assertThat(stopped.path("OS-EXT-STS:power_state").asInt()).isEqualTo(4);

        ApiClient.Response again = action(id, "{\"os-stop\": null}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("conflictingRequest").path("message").asText())
                .isEqualTo("Cannot 'stop' instance " + id + " while it is in vm_state stopped");

        assertThat(action(id, "{\"os-start\": null}").status()).isEqualTo(202);
        assertThat(cloud.settled(alpha.client(), id).path("status").asText()).isEqualTo("ACTIVE");
        assertThat(action(id, "{\"pause\": null}").status()).isEqualTo(202);
        assertThat(cloud.settled(alpha.client(), id).path("status").asText()).isEqualTo("PAUSED");
        assertThat(action(id, "{\"unpause\": null}").status()).isEqualTo(202);
        cloud.awaitIdle();
        assertThat(action(id, "{\"suspend\": null}").status()).isEqualTo(202);
        assertThat(cloud.settled(alpha.client(), id).path("status").asText()).isEqualTo("SUSPENDED");
        assertThat(action(id, "{\"resume\": null}").status()).isEqualTo(202);
        cloud.awaitIdle();
        assertThat(action(id, "{\"reboot\": {\"type\": \"HARD\"}}").status()).isEqualTo(202);
        assertThat(cloud.settled(alpha.client(), id).path("status").asText()).isEqualTo("ACTIVE");

        assertThat(action(id, "{\"resize\": {\"flavorRef\": \"2\"}}").status()).isEqualTo(202);
        JsonNode resized = cloud.settled(alpha.client(), id);
        assertThat(resized.path("status").asText()).isEqualTo("VERIFY_RESIZE");
        assertThat(resized.path("flavor").path("id").asText()).isEqualTo("2");
        assertThat(action(id, "{\"confirmResize\": null}").status()).isEqualTo(204);
        assertThat(cloud.settled(alpha.client(), id).path("status").asText()).isEqualTo("ACTIVE");

        assertThat(action(id, "{\"resize\": {\"flavorRef\": \"1\"}}").status()).isEqualTo(202);
        assertThat(cloud.settled(alpha.client(), id).path("status").asText()).isEqualTo("VERIFY_RESIZE");
        assertThat(action(id, "{\"revertResize\": null}").status()).isEqualTo(202);
        JsonNode reverted = cloud.settled(alpha.client(), id);
        assertThat(reverted.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(reverted.path("flavor").path("id").asText()).isEqualTo("2");
        ApiClient.Response sameFlavor = action(id, "{\"resize\": {\"flavorRef\": \"2\"}}");
        assertThat(sameFlavor.status()).isEqualTo(400);

        ApiClient.Response rebuilt = alpha.client().post("/v2.1/servers/" + id + "/action", Json.parse(
                ("{\"rebuild\": {\"imageRef\": \"" + image + "\", \"name\": \"rebuilt\"}}").getBytes()));
        assertThat(rebuilt.status()).as(rebuilt.text()).isEqualTo(202);
        assertThat(rebuilt.json().path("server").path("status").asText()).isEqualTo("REBUILD");
        assertThat(rebuilt.json().path("server").path("adminPass").asText()).isNotEmpty();
        JsonNode afterRebuild = cloud.settled(alpha.client(), id);
        assertThat(afterRebuild.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(afterRebuild.path("name").asText()).isEqualTo("rebuilt");

        ApiClient.Response console = action(id, "{\"os-getConsoleOutput\": {\"length\": 2}}");
        assertThat(console.status()).as(console.text()).isEqualTo(200);
        assertThat(console.json().path("output").asText().lines().count()).isEqualTo(2);

        assertThat(beta.client().post("/v2.1/servers/" + id + "/action", Json.parse("{\"os-stop\": null}".getBytes())).status())
                .isEqualTo(404);
        ApiClient.Response actions = alpha.client().get("/v2.1/servers/" + id + "/os-instance-actions");
        assertThat(actions.json().path("instanceActions").findValuesAsText("action"))
                .contains("create", "stop", "start", "pause", "resize", "confirmResize");
        alpha.client().delete("/v2.1/servers/" + id);
        cloud.awaitIdle();
    }

    @Test
    void aDriverFailureGivesErrorWithTheFaultAndReleasesTheQuota() {
        FakeDriver driver = (FakeDriver) cloud.service().agents().getFirst().driver();
        driver.failNext("spawn", "the fake hypervisor refused to start it");
        String id = create(alpha.client(), serverBody("doomed", image, "1"), "2.1").json().path("server").path("id").asText();
        JsonNode server = cloud.settled(alpha.client(), id);
        assertThat(server.path("status").asText()).isEqualTo("ERROR");
        assertThat(server.path("fault").path("message").asText()).isEqualTo("the fake hypervisor refused to start it");
        assertThat(server.path("fault").path("code").asInt()).isEqualTo(500);
        alpha.client().delete("/v2.1/servers/" + id);
        cloud.awaitIdle();
    }

    @Test
    void quotaExceededIs403WithNovasMessage() {
        ComputeTestServer.Project gamma = cloud.project("gamma", "member");
        cloud.service().quotas().setLimit(gamma.id(), "instances", 1);
        String first = create(gamma.client(), serverBody("one", image, "1"), "2.1").json().path("server").path("id").asText();
        ApiClient.Response second = create(gamma.client(), serverBody("two", image, "1"), "2.1");
        assertThat(second.status()).isEqualTo(403);
        assertThat(second.json().path("forbidden").path("message").asText())
                .isEqualTo("Quota exceeded for instances: Requested 1, but already used 1 of 1 instances");
        gamma.client().delete("/v2.1/servers/" + first);
        cloud.awaitIdle();
        assertThat(create(gamma.client(), serverBody("two", image, "1"), "2.1").status()).isEqualTo(202);
        cloud.awaitIdle();
    }

    @Test
    void badInputIs400() {
        ApiClient.Response noName = alpha.client().post("/v2.1/servers", Json.parse("{\"server\": {\"imageRef\": \"x\", \"flavorRef\": \"1\"}}".getBytes()));
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.json().path("badRequest").path("message").asText()).contains("'name' is a required property");
        ApiClient.Response badFlavor = create(alpha.client(), serverBody("x", image, "no-such-flavor"), "2.1");
        assertThat(badFlavor.status()).isEqualTo(400);
        ApiClient.Response badImage = create(alpha.client(), serverBody("x", "6b8a2d3e-0000-4000-8000-000000000000", "1"), "2.1");
        assertThat(badImage.status()).isEqualTo(400);
        ApiClient.Response noNetworks = create(alpha.client(), serverBody("x", image, "1"), "2.37");
        assertThat(noNetworks.status()).isEqualTo(400);
        ObjectNode portWithAddress = serverBody("x", image, "1");
        ((ObjectNode) portWithAddress.get("server")).putArray("networks").addObject()
                .put("port", "6b8a2d3e-0000-4000-8000-000000000002").put("fixed_ip", "10.0.0.5");
        ApiClient.Response both = create(alpha.client(), portWithAddress, "2.1");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().path("badRequest").path("message").asText()).isEqualTo("Specified Fixed IP '10.0.0.5' cannot be "
                + "used with port '6b8a2d3e-0000-4000-8000-000000000002': the two cannot be specified together.");
        ApiClient.Response extra = alpha.client().post("/v2.1/servers", Json.parse(
                ("{\"server\": {\"name\": \"x\", \"imageRef\": \"" + image + "\", \"flavorRef\": \"1\", \"bogus\": 1}}").getBytes()));
        assertThat(extra.status()).isEqualTo(400);
        assertThat(extra.json().path("badRequest").path("message").asText()).contains("'bogus' was unexpected");
    }

    private static ApiClient.Response action(String id, String json) {
        return alpha.client().post("/v2.1/servers/" + id + "/action", Json.parse(json.getBytes()));
    }

    @Test
    void anotherProjectsKeyPairsGroupsAndServersAreOutOfReach() {
        assertThat(alpha.client().post("/v2.1/os-keypairs", Json.parse("{\"keypair\": {\"name\": \"alpha-key\"}}".getBytes()))
                .status()).isIn(200, 201);
        ObjectNode group = Json.object();
        group.putObject("server_group").put("name", "alpha-group").putArray("policies").add("anti-affinity");
        String groupId = alpha.client().post("/v2.1/os-server-groups", group).json().path("server_group").path("id").asText();

        ObjectNode withKey = serverBody("b1", image, "1");
        ((ObjectNode) withKey.get("server")).put("key_name", "alpha-key");
        ApiClient.Response key = create(beta.client(), withKey, "2.1");
        assertThat(key.status()).isEqualTo(400);
        assertThat(key.json().path("badRequest").path("message").asText()).isEqualTo("Invalid key_name provided.");

        ObjectNode inGroup = serverBody("b2", image, "1");
        inGroup.putObject("os:scheduler_hints").put("group", groupId);
        assertThat(create(beta.client(), inGroup, "2.1").status()).isEqualTo(400);
        assertThat(beta.client().get("/v2.1/os-server-groups/" + groupId).status()).isEqualTo(404);
        assertThat(beta.client().delete("/v2.1/os-server-groups/" + groupId).status()).isEqualTo(404);

        String id = create(alpha.client(), serverBody("alpha-only", image, "1"), "2.1").json().path("server").path("id").asText();
        cloud.awaitIdle();
        assertThat(beta.client().delete("/v2.1/servers/" + id).status()).isEqualTo(404);
        assertThat(beta.client().get("/v2.1/servers/" + id + "/os-instance-actions").status()).isEqualTo(404);
        assertThat(beta.client().get("/v2.1/servers/" + id + "/metadata").status()).isEqualTo(404);
        ApiClient.Response reader = cloud.project("readers", "reader").client()
                .post("/v2.1/servers", serverBody("nope", image, "1"));
        assertThat(reader.status()).isEqualTo(403);
        assertThat(cloud.settled(alpha.client(), id).path("status").asText()).isEqualTo("ACTIVE");
        alpha.client().delete("/v2.1/servers/" + id);
        cloud.awaitIdle();
    }
}
