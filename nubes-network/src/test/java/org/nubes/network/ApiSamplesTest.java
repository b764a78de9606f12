package org.nubes.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.network.NetworkTestServer.body;
import static org.nubes.network.NetworkTestServer.create;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.ApiSamples;

/** The answers of the networking API against the recorded samples in src/test/resources/samples/network. */
class ApiSamplesTest {
    private static NetworkTestServer server;
    private static NetworkTestServer.Project project;
    private static String external;

    @BeforeAll
    static void start() {
        server = new NetworkTestServer();
        project = server.project("samples", "member");
        external = create(server.admin(), "networks", "network", "name", "ext", "router:external", true).path("id").asText();
        create(server.admin(), "subnets", "subnet", "network_id", external, "cidr", "203.0.113.0/24");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode created(String collection, Object body) {
        ApiClient.Response r = project.client().post("/v2.0/" + collection, body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json();
    }

    @Test
    void resourcesAsClientsSeeThem() {
        ApiClient client = project.client();
        ApiSamples.assertMatches("network/versions", client.get("/").json());
        JsonNode net = created("networks", body("network", "name", "sample-net"));
        ApiSamples.assertMatches("network/network-create", net);
        String netId = net.path("network").path("id").asText();
        JsonNode subnet = created("subnets", body("subnet", "name", "sample-subnet", "network_id", netId, "cidr", "10.0.0.0/24",
                "ip_version", 4));
        ApiSamples.assertMatches("network/subnet-create", subnet);
        JsonNode port = created("ports", body("port", "name", "sample-port", "network_id", netId));
        ApiSamples.assertMatches("network/port-create", port);
        JsonNode router = created("routers", body("router", "name", "sample-router", "external_gateway_info",
                Map.of("network_id", external)));
        ApiSamples.assertMatches("network/router-create", router);
        String routerId = router.path("router").path("id").asText();
        ApiSamples.assertMatches("network/router-add-interface", client.put("/v2.0/routers/" + routerId + "/add_router_interface",
                Json.object().put("subnet_id", subnet.path("subnet").path("id").asText())).json());
        ApiSamples.assertMatches("network/floatingip-create", created("floatingips", body("floatingip",
                "floating_network_id", external, "port_id", port.path("port").path("id").asText())));
        JsonNode group = created("security-groups", body("security_group", "name", "sample-group"));
        ApiSamples.assertMatches("network/security-group-create", group);
        ApiSamples.assertMatches("network/security-group-rule-create", created("security-group-rules", body("security_group_rule",
                "security_group_id", group.path("security_group").path("id").asText(), "direction", "ingress",
                "protocol", "tcp", "port_range_min", 80, "port_range_max", 80, "remote_ip_prefix", "0.0.0.0/0")));
        ApiSamples.assertMatches("network/rbac-policy-create", created("rbac-policies", body("rbac_policy", "object_type", "network",
                "object_id", netId, "action", "access_as_shared", "target_tenant", "*")));
        ApiSamples.assertMatches("network/quota-show", client.get("/v2.0/quotas/" + project.id()).json());
        ApiSamples.assertMatches("network/quota-detail", client.get("/v2.0/quotas/" + project.id() + "/detail").json());
        ApiSamples.assertMatches("network/network-not-found", client.get("/v2.0/networks/missing").json());
    }
}
