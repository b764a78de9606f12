package org.nubes.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.network.NetworkTestServer.body;
import static org.nubes.network.NetworkTestServer.create;
import static org.nubes.network.NetworkTestServer.network;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;

/** Subnets: defaults for gateway and pools, IPv6, and every check on CIDRs, pools and modes. */
class SubnetApiTest {
    private static NetworkTestServer server;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        server = new NetworkTestServer();
        client = server.project("subnets", "member").client();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ApiClient.Response post(Object... pairs) {
        return client.post("/v2.0/subnets", body("subnet", pairs));
    }

    private static String error(ApiClient.Response r) {
        return r.status() + " " + r.json().path("NeutronError").path("type").asText() + " "
                + r.json().path("NeutronError").path("message").asText();
    }

    @Test
    void ipv4DefaultsAreTheFirstHostAsGatewayAndTheRestAsPool() {
        String net = network(client, "v4");
        ApiClient.Response r = post("network_id", net, "cidr", "10.1.0.0/24", "ip_version", 4, "name", "s",
                "dns_nameservers", List.of("8.8.8.8"), "host_routes", List.of(Map.of("destination", "10.9.0.0/16", "nexthop", "10.1.0.9")));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode subnet = r.json().path("subnet");
        assertThat(subnet.path("gateway_ip").asText()).isEqualTo("10.1.0.1");
        assertThat(subnet.path("allocation_pools").toString()).isEqualTo("[{\"start\":\"10.1.0.2\",\"end\":\"10.1.0.254\"}]");
        assertThat(subnet.path("enable_dhcp").asBoolean()).isTrue();
        assertThat(subnet.path("ipv6_address_mode").isNull()).isTrue();
        assertThat(subnet.path("dns_nameservers").get(0).asText()).isEqualTo("8.8.8.8");
        assertThat(subnet.path("host_routes").get(0).path("nexthop").asText()).isEqualTo("10.1.0.9");
        assertThat(client.get("/v2.0/networks/" + net).json().path("network").path("subnets").get(0).asText())
                .isEqualTo(subnet.path("id").asText());

        ApiClient.Response middle = post("network_id", network(client, "mid"), "cidr", "10.2.0.0/24", "gateway_ip", "10.2.0.100");
        assertThat(middle.json().path("subnet").path("allocation_pools").toString()).isEqualTo(
                "[{\"start\":\"10.2.0.1\",\"end\":\"10.2.0.99\"},{\"start\":\"10.2.0.101\",\"end\":\"10.2.0.254\"}]");
        ApiClient.Response none = post("network_id", network(client, "nogw"), "cidr", "10.3.0.0/29", "gateway_ip", null);
        assertThat(none.json().path("subnet").path("gateway_ip").isNull()).isTrue();
        assertThat(none.json().path("subnet").path("allocation_pools").toString()).isEqualTo("[{\"start\":\"10.3.0.1\",\"end\":\"10.3.0.6\"}]");
    }

    @Test
    void ipv6SubnetsWithModes() {
        String net = network(client, "v6");
        ApiClient.Response r = post("network_id", net, "cidr", "2001:db8:1::/64", "ip_version", 6,
                "ipv6_address_mode", "slaac", "ipv6_ra_mode", "slaac");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode subnet = r.json().path("subnet");
        assertThat(subnet.path("gateway_ip").asText()).isEqualTo("2001:db8:1::1");
        assertThat(subnet.path("allocation_pools").get(0).path("start").asText()).isEqualTo("2001:db8:1::2");
        assertThat(subnet.path("allocation_pools").get(0).path("end").asText()).isEqualTo("2001:db8:1:0:ffff:ffff:ffff:ffff");
        assertThat(subnet.path("ipv6_address_mode").asText()).isEqualTo("slaac");
        assertThat(error(post("network_id", net, "cidr", "2001:db8:2::/64", "ip_version", 6,
                "ipv6_address_mode", "slaac", "ipv6_ra_mode", "dhcpv6-stateful"))).startsWith("400 InvalidInput");
        assertThat(error(post("network_id", net, "cidr", "10.4.0.0/24", "ipv6_address_mode", "slaac"))).startsWith("400");
        assertThat(error(post("network_id", net, "cidr", "2001:db8:3::/64", "ip_version", 4))).startsWith("400");
    }

    @Test
    void badCidrsPoolsAndOverlapsAre400() {
        String net = network(client, "bad");
        assertThat(error(post("network_id", net, "cidr", "10.5.0.1/24"))).contains("'10.5.0.0/24' is recommended");
        assertThat(error(post("network_id", net, "cidr", "10.5.0.0/33"))).startsWith("400");
        assertThat(error(post("network_id", net, "cidr", "banana"))).startsWith("400");
        assertThat(error(post("network_id", net))).contains("'cidr' not specified");
        assertThat(error(post("cidr", "10.5.0.0/24"))).contains("'network_id'");
        assertThat(error(post("network_id", "no-such", "cidr", "10.5.0.0/24"))).startsWith("404 NetworkNotFound");
        assertThat(error(post("network_id", net, "cidr", "10.5.0.0/24", "gateway_ip", "10.6.0.1"))).startsWith("400");
        assertThat(error(post("network_id", net, "cidr", "10.5.0.0/24",
                "allocation_pools", List.of(Map.of("start", "10.5.0.10", "end", "10.5.1.20"))))).startsWith("400 OutOfBoundsAllocationPool");
        assertThat(error(post("network_id", net, "cidr", "10.5.0.0/24", "allocation_pools", List.of(
                Map.of("start", "10.5.0.10", "end", "10.5.0.20"), Map.of("start", "10.5.0.15", "end", "10.5.0.30")))))
                .startsWith("400 OverlappingAllocationPools");
        assertThat(error(post("network_id", net, "cidr", "10.5.0.0/24",
                "allocation_pools", List.of(Map.of("start", "10.5.0.1", "end", "10.5.0.20"))))).startsWith("409 GatewayConflict");
        assertThat(error(post("network_id", net, "cidr", "10.5.0.0/24", "dns_nameservers", List.of("1.1.1.1", "1.1.1.1"))))
                .startsWith("400");
        assertThat(client.get("/v2.0/networks/" + net).json().path("network").path("subnets")).isEmpty();

        assertThat(post("network_id", net, "cidr", "10.5.0.0/24").status()).isEqualTo(201);
        assertThat(error(post("network_id", net, "cidr", "10.5.0.128/25"))).contains("overlaps with another subnet");
        assertThat(post("network_id", network(client, "elsewhere"), "cidr", "10.5.0.0/24").status()).isEqualTo(201);
    }

    @Test
    void updateAndDeleteAndIsolation() {
        String net = network(client, "upd");
        String id = create(client, "subnets", "subnet", "network_id", net, "cidr", "10.7.0.0/24").path("id").asText();
        ApiClient.Response r = client.put("/v2.0/subnets/" + id, body("subnet", "name", "renamed", "enable_dhcp", false));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("subnet").path("enable_dhcp").asBoolean()).isFalse();
        assertThat(error(client.put("/v2.0/subnets/" + id, body("subnet", "cidr", "10.8.0.0/24")))).startsWith("400");
        ApiClient other = server.project("subnets-other", "member").client();
        assertThat(other.get("/v2.0/subnets/" + id).status()).isEqualTo(404);
        assertThat(other.post("/v2.0/subnets", body("subnet", "network_id", net, "cidr", "10.9.0.0/24")).status()).isEqualTo(404);
        assertThat(client.delete("/v2.0/subnets/" + id).status()).isEqualTo(204);
        assertThat(client.get("/v2.0/subnets/" + id).json().path("NeutronError").path("type").asText()).isEqualTo("SubnetNotFound");
    }
}
