package org.nubes.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.core.testing.ApiSamples.assertMatches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;

/**
 * The recorded server samples under src/test/resources/samples/compute: what Nova clients
 * receive, key for key, at the microversions that change them.
 */
class ServerApiSamplesTest {
    private static ComputeTestServer cloud;
    private static ComputeTestServer.Project project;
    private static String serverId;

    @BeforeAll
    static void start() {
        cloud = new ComputeTestServer();
        project = cloud.project("samples", "member");
        String image = cloud.image(cloud.admin(), "base", true);
        ObjectNode body = ServerApiTest.serverBody("new-server-test", image, "1");
        ((ObjectNode) body.get("server")).putObject("metadata").put("My Server Name", "Apache1");
        ApiClient.Response made = project.client().post("/v2.1/servers", body);
        assertMatches("compute/server-create-resp", ok(made, 202));
        serverId = made.json().path("server").path("id").asText();
        cloud.awaitIdle();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static JsonNode ok(ApiClient.Response r, int status) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        return r.json();
    }

    @Test
    void serverAsItsOwnerSeesItAtTheBaseVersion() {
        assertMatches("compute/server-get-resp", ok(project.client().get("/v2.1/servers/" + serverId), 200));
        assertMatches("compute/servers-list-resp", ok(project.client().get("/v2.1/servers"), 200));
    }

    @Test
    void serverAsTheAdminSeesItAt253() {
        assertMatches("compute/server-get-resp-v2.53-admin", ok(cloud.admin().send("GET", "/v2.1/servers/" + serverId, null,
                "OpenStack-API-Version", "compute 2.53"), 200));
    }

    @Test
    void versions() {
        ApiClient.Response versions = cloud.anonymous().get("/");
        assertMatches("compute/versions-get-resp", ok(versions, 300));
        JsonNode current = ok(cloud.anonymous().get("/v2.1"), 200).path("version");
        assertThat(current.path("version").asText()).isEqualTo("2.53");
        assertThat(current.path("min_version").asText()).isEqualTo("2.1");
    }
}
