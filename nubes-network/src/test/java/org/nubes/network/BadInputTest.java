package org.nubes.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.network.NetworkTestServer.create;
import static org.nubes.network.NetworkTestServer.network;
import static org.nubes.network.NetworkTestServer.subnet;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;

/** Malformed and mistyped requests get a 4xx with Neutron's fault body, never a 500, and make nothing. */
class BadInputTest {
    private static NetworkTestServer server;
    private static ApiClient client;
    private static String net;
    private static String router;

    @BeforeAll
    static void start() {
        server = new NetworkTestServer();
        client = server.project("bad-input", "member").client();
        net = network(client, "n");
        subnet(client, net, "10.90.0.0/24");
        router = create(client, "routers", "router", "name", "r").path("id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertClientError(String method, String path, String body) {
        ApiClient.Response r = client.send(method, path, body);
        assertThat(r.status()).as("%s %s %s -> %s", method, path, body, r.text()).isBetween(400, 499);
        assertThat(r.json().path("NeutronError").path("message").asText()).as(body).isNotEmpty();
    }

    @Test
    void createsWithWrongShapesOrTypes() {
        List<String> collections = List.of("networks", "subnets", "ports", "security-groups", "security-group-rules", "routers",
                "floatingips", "rbac-policies");
        List<String> resources = List.of("network", "subnet", "port", "security_group", "security_group_rule", "router",
                "floatingip", "rbac_policy");
        for (int i = 0; i < collections.size(); i++) {
            String path = "/v2.0/" + collections.get(i);
            String r = resources.get(i);
            for (String body : List.of("[]", "\"text\"", "{}", "{\"" + r + "\": []}", "{\"" + r + "\": 5}",
                    "{\"" + r + "\": {\"name\": 5}}", "{\"" + r + "\": {\"network_id\": 5}}", "{\"" + r + "\": {\"id\": \"x\"}}")) {
                assertClientError("POST", path, body);
            }
        }
        String[] ports = {
            "{\"port\": {\"network_id\": \"%s\", \"fixed_ips\": \"x\"}}",
            "{\"port\": {\"network_id\": \"%s\", \"fixed_ips\": [5]}}",
            "{\"port\": {\"network_id\": \"%s\", \"fixed_ips\": [{}]}}",
            "{\"port\": {\"network_id\": \"%s\", \"fixed_ips\": [{\"ip_address\": \"x\"}]}}",
            "{\"port\": {\"network_id\": \"%s\", \"security_groups\": \"x\"}}",
            "{\"port\": {\"network_id\": \"%s\", \"security_groups\": [\"missing\"]}}",
            "{\"port\": {\"network_id\": \"%s\", \"allowed_address_pairs\": [5]}}",
            "{\"port\": {\"network_id\": \"%s\", \"allowed_address_pairs\": [{\"ip_address\": \"nope\"}]}}",
            "{\"port\": {\"network_id\": \"%s\", \"binding:profile\": \"x\"}}",
            "{\"port\": {\"network_id\": \"%s\", \"admin_state_up\": []}}",
        };
        for (String port : ports) {
            assertClientError("POST", "/v2.0/ports", port.formatted(net));
        }
        assertClientError("POST", "/v2.0/subnets", "{\"subnet\": {\"network_id\": \"%s\", \"cidr\": \"10.91.0.0/24\", \"host_routes\": [5]}}".formatted(net));
        assertClientError("POST", "/v2.0/subnets", "{\"subnet\": {\"network_id\": \"%s\", \"cidr\": \"10.91.0.0/24\", \"allocation_pools\": [{}]}}".formatted(net));
        assertClientError("POST", "/v2.0/subnets", "{\"subnet\": {\"network_id\": \"%s\", \"cidr\": \"10.91.0.0/24\", \"ip_version\": \"x\"}}".formatted(net));
        assertClientError("POST", "/v2.0/routers", "{\"router\": {\"external_gateway_info\": \"x\"}}");
        assertClientError("POST", "/v2.0/routers", "{\"router\": {\"external_gateway_info\": {\"network_id\": \"missing\"}}}");
        assertClientError("PUT", "/v2.0/routers/" + router, "{\"router\": {\"routes\": [5]}}");
        assertClientError("PUT", "/v2.0/routers/" + router, "{\"router\": {\"routes\": \"x\"}}");
        assertClientError("PUT", "/v2.0/routers/" + router + "/add_router_interface", "{\"subnet_id\": 5}");
        assertClientError("PUT", "/v2.0/routers/" + router + "/add_router_interface", "[]");
        assertClientError("PUT", "/v2.0/networks/" + net + "/tags", "{\"tags\": \"x\"}");
        assertClientError("PUT", "/v2.0/networks/" + net + "/tags", "{\"tags\": [5]}");
        assertClientError("PUT", "/v2.0/networks/" + net + "/tags/" + "t".repeat(61), null);
        assertClientError("PUT", "/v2.0/quotas/x", "{\"quota\": {\"network\": null}}");
        assertClientError("PUT", "/v2.0/networks/" + net, "{\"network\": {\"mtu\": \"big\"}}");

        assertThat(client.get("/v2.0/ports").json().path("ports")).isEmpty();
        assertThat(client.get("/v2.0/networks").json().path("networks")).hasSize(1);
        assertThat(client.get("/v2.0/routers").json().path("routers")).hasSize(1);
    }
}
