package org.nubes.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.network.NetworkTestServer.body;
import static org.nubes.network.NetworkTestServer.create;
import static org.nubes.network.NetworkTestServer.network;
import static org.nubes.network.NetworkTestServer.subnet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/** Routers (gateway, interfaces, routes) and floating IPs through them. */
class RouterApiTest {
    private static NetworkTestServer server;
    private static String external;
    private static String externalSubnet;

    @BeforeAll
    static void start() {
        server = new NetworkTestServer();
        external = create(server.admin(), "networks", "network", "name", "ext", "router:external", true).path("id").asText();
        externalSubnet = create(server.admin(), "subnets", "subnet", "network_id", external, "cidr", "203.0.113.0/24",
                "enable_dhcp", false).path("id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String error(ApiClient.Response r) {
        return r.status() + " " + r.json().path("NeutronError").path("type").asText() + " "
                + r.json().path("NeutronError").path("message").asText();
    }

    private static ApiClient.Response iface(ApiClient client, String router, String action, String key, String value) {
        return client.put("/v2.0/routers/" + router + "/" + action + "_router_interface", Json.object().put(key, value));
    }

    @Test
    void aRouterJoinsSubnetsToTheExternalNetwork() {
        ApiClient client = server.project("router-a", "member").client();
        String net = network(client, "inside");
        String sub = subnet(client, net, "10.30.0.0/24");
        ApiClient.Response made = client.post("/v2.0/routers", body("router", "name", "r1",
                "external_gateway_info", Map.of("network_id", external)));
        assertThat(made.status()).as(made.text()).isEqualTo(201);
        JsonNode router = made.json().path("router");
        String id = router.path("id").asText();
        JsonNode gateway = router.path("external_gateway_info");
        assertThat(gateway.path("network_id").asText()).isEqualTo(external);
        assertThat(gateway.path("enable_snat").asBoolean()).isTrue();
        assertThat(gateway.path("external_fixed_ips").get(0).path("subnet_id").asText()).isEqualTo(externalSubnet);
        assertThat(gateway.path("external_fixed_ips").get(0).path("ip_address").asText()).startsWith("203.0.113.");
        assertThat(router.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(router.path("routes")).isEmpty();

        ApiClient.Response added = iface(client, id, "add", "subnet_id", sub);
        assertThat(added.status()).as(added.text()).isEqualTo(200);
        assertThat(added.json().path("subnet_id").asText()).isEqualTo(sub);
        String portId = added.json().path("port_id").asText();
        JsonNode port = client.get("/v2.0/ports/" + portId).json().path("port");
        assertThat(port.path("device_owner").asText()).isEqualTo("network:router_interface");
        assertThat(port.path("fixed_ips").get(0).path("ip_address").asText()).isEqualTo("10.30.0.1");
        assertThat(error(iface(client, id, "add", "subnet_id", sub))).startsWith("400");
        assertThat(error(client.delete("/v2.0/ports/" + portId))).startsWith("409 ServicePortInUse");
        assertThat(error(client.delete("/v2.0/routers/" + id))).startsWith("409 RouterInUse");
        assertThat(error(client.delete("/v2.0/subnets/" + sub))).startsWith("409 SubnetInUse");

        ApiClient.Response routed = client.put("/v2.0/routers/" + id, body("router", "routes",
                List.of(Map.of("destination", "192.168.0.0/16", "nexthop", "10.30.0.5"))));
        assertThat(routed.status()).as(routed.text()).isEqualTo(200);
        assertThat(routed.json().path("router").path("routes").get(0).path("nexthop").asText()).isEqualTo("10.30.0.5");
        assertThat(error(client.put("/v2.0/routers/" + id, body("router", "routes",
                List.of(Map.of("destination", "192.168.0.0/16", "nexthop", "10.31.0.5")))))).startsWith("400 InvalidRoutes");
        assertThat(error(iface(client, id, "remove", "subnet_id", sub))).startsWith("409 RouterInterfaceInUseByRoute");
        client.put("/v2.0/routers/" + id, body("router", "routes", List.of()));

        assertThat(iface(client, id, "remove", "subnet_id", sub).status()).isEqualTo(200);
        assertThat(client.get("/v2.0/ports/" + portId).status()).isEqualTo(404);
        assertThat(error(iface(client, id, "remove", "subnet_id", sub))).startsWith("404 RouterInterfaceNotFoundForSubnet");

        String own = create(client, "ports", "port", "network_id", net).path("id").asText();
        assertThat(iface(client, id, "add", "port_id", own).status()).isEqualTo(200);
        assertThat(error(iface(client, id, "add", "port_id", own))).startsWith("409 PortInUse");
        assertThat(error(client.put("/v2.0/routers/" + id + "/add_router_interface", Json.object()))).startsWith("400");
        assertThat(iface(client, id, "remove", "port_id", own).status()).isEqualTo(200);

        ApiClient.Response cleared = client.put("/v2.0/routers/" + id, body("router", "external_gateway_info", Map.of()));
        assertThat(cleared.json().path("router").path("external_gateway_info").isNull()).isTrue();
        assertThat(client.delete("/v2.0/routers/" + id).status()).isEqualTo(204);
        assertThat(client.delete("/v2.0/networks/" + net).status()).isEqualTo(204);

        assertThat(error(client.post("/v2.0/routers", body("router", "external_gateway_info",
                Map.of("network_id", external, "enable_snat", false))))).startsWith("403 PolicyNotAuthorized");
        String internal = network(client, "not-external");
        assertThat(error(client.post("/v2.0/routers", body("router", "external_gateway_info", Map.of("network_id", internal)))))
                .startsWith("400");
        assertThat(server.project("router-b", "member").client().get("/v2.0/routers/" + id).status()).isEqualTo(404);
    }

    @Test
    void floatingIpsNeedARouterToTheirPort() {
        ApiClient client = server.project("fip-a", "member").client();
        String net = network(client, "fip-net");
        String sub = subnet(client, net, "10.40.0.0/24");
        JsonNode port = create(client, "ports", "port", "network_id", net);
        String portId = port.path("id").asText();

        ApiClient.Response made = client.post("/v2.0/floatingips", body("floatingip", "floating_network_id", external));
        assertThat(made.status()).as(made.text()).isEqualTo(201);
        JsonNode fip = made.json().path("floatingip");
        String id = fip.path("id").asText();
        assertThat(fip.path("floating_ip_address").asText()).startsWith("203.0.113.");
        assertThat(fip.path("status").asText()).isEqualTo("DOWN");
        assertThat(fip.path("port_id").isNull()).isTrue();
        assertThat(fip.path("router_id").isNull()).isTrue();

        ApiClient.Response unreachable = client.put("/v2.0/floatingips/" + id, body("floatingip", "port_id", portId));
        assertThat(error(unreachable)).startsWith("404 ExternalGatewayForFloatingIPNotFound");

        String router = create(client, "routers", "router", "name", "fr", "external_gateway_info", Map.of("network_id", external))
                .path("id").asText();
        assertThat(iface(client, router, "add", "subnet_id", sub).status()).isEqualTo(200);
        ApiClient.Response associated = client.put("/v2.0/floatingips/" + id, body("floatingip", "port_id", portId));
        assertThat(associated.status()).as(associated.text()).isEqualTo(200);
        JsonNode on = associated.json().path("floatingip");
        assertThat(on.path("router_id").asText()).isEqualTo(router);
        assertThat(on.path("fixed_ip_address").asText()).isEqualTo(port.path("fixed_ips").get(0).path("ip_address").asText());
        assertThat(on.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(error(client.post("/v2.0/floatingips", body("floatingip", "floating_network_id", external, "port_id", portId))))
                .startsWith("409 FloatingIPPortAlreadyAssociated");
        assertThat(error(iface(client, router, "remove", "subnet_id", sub))).startsWith("409 RouterInterfaceInUseByFloatingIP");
        assertThat(error(client.put("/v2.0/routers/" + router, body("router", "external_gateway_info", Map.of()))))
                .startsWith("409");

        ApiClient.Response off = client.put("/v2.0/floatingips/" + id, body("floatingip", "port_id", null));
        assertThat(off.json().path("floatingip").path("port_id").isNull()).isTrue();
        client.put("/v2.0/floatingips/" + id, body("floatingip", "port_id", portId));
        assertThat(client.delete("/v2.0/ports/" + portId).status()).isEqualTo(204);
        assertThat(client.get("/v2.0/floatingips/" + id).json().path("floatingip").path("port_id").isNull()).isTrue();

        String address = fip.path("floating_ip_address").asText();
        assertThat(error(client.post("/v2.0/floatingips", body("floatingip", "floating_network_id", external,
                "floating_ip_address", "203.0.113.77")))).startsWith("403 PolicyNotAuthorized");
        assertThat(client.delete("/v2.0/floatingips/" + id).status()).isEqualTo(204);
        ApiClient.Response again = server.admin().post("/v2.0/floatingips", body("floatingip", "floating_network_id", external,
                "floating_ip_address", address));
        assertThat(again.status()).as(again.text()).isEqualTo(201);
        assertThat(error(client.post("/v2.0/floatingips", body("floatingip", "floating_network_id", net)))).startsWith("400");
        assertThat(server.project("fip-b", "member").client().get("/v2.0/floatingips").json().path("floatingips")).isEmpty();
    }
}
