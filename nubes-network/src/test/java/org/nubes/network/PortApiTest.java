package org.nubes.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.network.NetworkTestServer.body;
import static org.nubes.network.NetworkTestServer.create;
import static org.nubes.network.NetworkTestServer.network;
import static org.nubes.network.NetworkTestServer.subnet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;

/** Ports: IPAM, MAC addresses, bindings, port security, and what ports keep from being deleted. */
class PortApiTest {
    private static NetworkTestServer server;
    private static NetworkTestServer.Project project;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        server = new NetworkTestServer();
        project = server.project("ports", "member");
        client = project.client();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String error(ApiClient.Response r) {
        return r.status() + " " + r.json().path("NeutronError").path("type").asText() + " "
                + r.json().path("NeutronError").path("message").asText();
    }

    @Test
    void aPortGetsAnAddressAMacAndTheDefaultGroup() {
        String net = network(client, "p1");
        String sub = subnet(client, net, "10.20.0.0/24");
        String v6 = subnet(client, net, "2001:db8:20::/64");
        ApiClient.Response r = client.post("/v2.0/ports", body("port", "network_id", net, "name", "vm-port"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode port = r.json().path("port");
        List<String> keys = new ArrayList<>();
        port.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("id", "name", "network_id", "admin_state_up", "mac_address", "fixed_ips",
                "device_id", "device_owner", "security_groups", "allowed_address_pairs", "port_security_enabled", "status",
                "binding:vnic_type", "description", "project_id", "tenant_id", "created_at", "updated_at", "revision_number",
                "tags");
        assertThat(port.path("mac_address").asText()).matches("fa:16:3e(:[0-9a-f]{2}){3}");
        assertThat(port.path("status").asText()).isEqualTo("DOWN");
        String id = port.path("id").asText();
        JsonNode asAdmin = server.admin().get("/v2.0/ports/" + id).json().path("port");
        assertThat(asAdmin.path("binding:vif_type").asText()).isEqualTo("unbound");
        assertThat(asAdmin.path("binding:host_id").asText()).isEmpty();
        assertThat(asAdmin.path("binding:profile").isObject()).isTrue();
        assertThat(asAdmin.path("binding:vif_details").isObject()).isTrue();
        assertThat(port.path("fixed_ips")).hasSize(2);
        assertThat(port.path("fixed_ips").get(0).path("subnet_id").asText()).isEqualTo(sub);
        assertThat(port.path("fixed_ips").get(1).path("subnet_id").asText()).isEqualTo(v6);
        assertThat(port.path("security_groups")).hasSize(1);
        JsonNode groups = client.get("/v2.0/security-groups?name=default").json().path("security_groups");
        assertThat(groups).hasSize(1);
        assertThat(port.path("security_groups").get(0).asText()).isEqualTo(groups.get(0).path("id").asText());

        assertThat(client.put("/v2.0/ports/" + id, body("port", "binding:host_id", "host-1")).status()).isEqualTo(403);
        assertThat(client.post("/v2.0/ports", body("port", "network_id", net, "binding:profile", java.util.Map.of())).status())
                .isEqualTo(403);
        ApiClient.Response bound = server.admin().put("/v2.0/ports/" + id,
                body("port", "binding:host_id", "host-1", "device_id", "vm-1", "device_owner", "compute:nova"));
        assertThat(bound.json().path("port").path("status").asText()).isEqualTo("ACTIVE");
        assertThat(bound.json().path("port").path("binding:vif_type").asText()).isEqualTo("bridge");
        assertThat(bound.json().path("port").path("binding:vif_details").path("port_filter").asBoolean()).isTrue();
        assertThat(client.get("/v2.0/ports/" + id).json().path("port").path("status").asText()).isEqualTo("ACTIVE");
        assertThat(client.get("/v2.0/ports?device_id=vm-1").json().path("ports")).hasSize(1);
        assertThat(client.get("/v2.0/ports?fixed_ips=subnet_id%3D" + sub).json().path("ports")).hasSize(1);
    }

    @Test
    void addressesByIpBySubnetAndTheirConflicts() {
        String net = network(client, "p2");
        String sub = subnet(client, net, "10.21.0.0/24");
        JsonNode fixed = create(client, "ports", "port", "network_id", net,
                "fixed_ips", List.of(Map.of("ip_address", "10.21.0.50")), "mac_address", "FA:16:3E:00:00:01").path("fixed_ips");
        assertThat(fixed.get(0).path("subnet_id").asText()).isEqualTo(sub);
        assertThat(error(client.post("/v2.0/ports", body("port", "network_id", net,
                "fixed_ips", List.of(Map.of("subnet_id", sub, "ip_address", "10.21.0.50"))))))
                .startsWith("409 IpAddressAlreadyAllocated");
        assertThat(error(client.post("/v2.0/ports", body("port", "network_id", net, "mac_address", "fa:16:3e:00:00:01"))))
                .startsWith("409 MacAddressInUse");
        assertThat(error(client.post("/v2.0/ports", body("port", "network_id", net,
                "fixed_ips", List.of(Map.of("ip_address", "10.99.0.5")))))).startsWith("400 InvalidIpForNetwork");
        assertThat(error(client.post("/v2.0/ports", body("port", "network_id", net,
                "fixed_ips", List.of(Map.of("subnet_id", sub, "ip_address", "10.22.0.5")))))).startsWith("400 InvalidIpForSubnet");
        assertThat(error(client.post("/v2.0/ports", body("port", "network_id", net, "mac_address", "nope")))).startsWith("400");
        assertThat(error(client.post("/v2.0/ports", body("port", "network_id", net, "binding:vnic_type", "weird")))).startsWith("400");
        assertThat(error(client.post("/v2.0/ports", body("port", "network_id", "missing")))).startsWith("404 NetworkNotFound");
        assertThat(create(client, "ports", "port", "network_id", net, "fixed_ips", List.of()).path("fixed_ips")).isEmpty();
    }

    @Test
    void aFullPoolIs409AndADeletedPortFreesItsAddress() {
        String net = network(client, "p3");
        String sub = create(client, "subnets", "subnet", "network_id", net, "cidr", "10.23.0.0/29").path("id").asText();
        List<String> ports = new ArrayList<>();
        Set<String> addresses = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            JsonNode port = create(client, "ports", "port", "network_id", net);
            ports.add(port.path("id").asText());
            addresses.add(port.path("fixed_ips").get(0).path("ip_address").asText());
        }
        assertThat(addresses).containsExactlyInAnyOrder("10.23.0.2", "10.23.0.3", "10.23.0.4", "10.23.0.5", "10.23.0.6");
        assertThat(error(client.post("/v2.0/ports", body("port", "network_id", net)))).startsWith("409 IpAddressGenerationFailure");

        assertThat(error(client.delete("/v2.0/subnets/" + sub))).startsWith("409 SubnetInUse");
        assertThat(error(client.delete("/v2.0/networks/" + net))).startsWith("409 NetworkInUse");
        JsonNode freed = client.get("/v2.0/ports/" + ports.getFirst()).json().path("port").path("fixed_ips").get(0);
        assertThat(client.delete("/v2.0/ports/" + ports.getFirst()).status()).isEqualTo(204);
        assertThat(create(client, "ports", "port", "network_id", net).path("fixed_ips").get(0).path("ip_address").asText())
                .isEqualTo(freed.path("ip_address").asText());
        for (JsonNode port : client.get("/v2.0/ports?network_id=" + net).json().path("ports")) {
            assertThat(client.delete("/v2.0/ports/" + port.path("id").asText()).status()).isEqualTo(204);
        }
        assertThat(client.delete("/v2.0/networks/" + net).status()).isEqualTo(204);
        assertThat(client.get("/v2.0/subnets/" + sub).status()).isEqualTo(404);
    }

    @Test
    void concurrentCreatesNeverShareAnAddress() throws Exception {
        String net = create(server.admin(), "networks", "network", "name", "busy", "shared", true).path("id").asText();
        subnet(server.admin(), net, "10.24.0.0/24");
        List<ApiClient> clients = List.of(client, server.project("ports-b", "member").client(),
                server.project("ports-c", "member").client(), server.admin());
        List<Future<JsonNode>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 64; i++) {
                ApiClient c = clients.get(i % clients.size());
                futures.add(pool.submit(() -> create(c, "ports", "port", "network_id", net)));
            }
        }
        ApiClient guest = clients.get(1);
        assertThat(guest.post("/v2.0/ports", body("port", "network_id", net, "mac_address", "fa:16:3e:12:34:56")).status())
                .isEqualTo(403);
        assertThat(guest.post("/v2.0/ports", body("port", "network_id", net,
                "fixed_ips", List.of(Map.of("ip_address", "10.24.0.250")))).status()).isEqualTo(403);
        Set<String> addresses = new HashSet<>();
        Set<String> macs = new HashSet<>();
        for (Future<JsonNode> f : futures) {
            addresses.add(f.get().path("fixed_ips").get(0).path("ip_address").asText());
            macs.add(f.get().path("mac_address").asText());
        }
        assertThat(addresses).hasSize(64);
        assertThat(macs).hasSize(64);
    }

    @Test
    void portSecurityAddressPairsAndIsolation() {
        String net = network(client, "p5");
        subnet(client, net, "10.25.0.0/24");
        JsonNode open = create(client, "ports", "port", "network_id", net, "port_security_enabled", false);
        assertThat(open.path("security_groups")).isEmpty();
        assertThat(error(client.post("/v2.0/ports", body("port", "network_id", net, "port_security_enabled", false,
                "allowed_address_pairs", List.of(Map.of("ip_address", "10.25.0.200")))))).startsWith("409");
        JsonNode paired = create(client, "ports", "port", "network_id", net,
                "allowed_address_pairs", List.of(Map.of("ip_address", "10.25.0.0/28")));
        assertThat(paired.path("allowed_address_pairs").get(0).path("mac_address").asText()).isEqualTo(paired.path("mac_address").asText());

        ApiClient other = server.project("ports-other", "member").client();
        assertThat(other.get("/v2.0/ports/" + paired.path("id").asText()).status()).isEqualTo(404);
        assertThat(other.post("/v2.0/ports", body("port", "network_id", net)).status()).isEqualTo(404);
        assertThat(other.get("/v2.0/ports").json().path("ports")).isEmpty();
    }
}
