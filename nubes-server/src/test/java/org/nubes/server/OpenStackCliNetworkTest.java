package org.nubes.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The networking service as a real client sees it: python-openstackclient against a cloud started
 * the way `nubes up` starts it. A member of a new project builds a network, a subnet, a port, a
 * router to the bootstrap's "public" network, a floating IP and security groups.
 */
class OpenStackCliNetworkTest {
    private static CliCloud cli;
    private static OpenStackCli admin;
    private static OpenStackCli user;

    @BeforeAll
    static void start() {
        cli = CliCloud.start(Map.of("compute.driver", "fake", "network.port", "0"));
        admin = cli.admin();
        admin.ok("project", "create", "network-cli");
        admin.ok("user", "create", "--password", "pw-network", "--project", "network-cli", "network-user");
        admin.ok("role", "add", "--project", "network-cli", "--user", "network-user", "member");
        user = cli.user("network-user", "pw-network", "network-cli");
    }

    @AfterAll
    static void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    @Test
    void theBootstrapTopologyIsThere() {
        assertThat(admin.json("network", "list").findValuesAsText("Name")).contains("public", "private");
        assertThat(admin.json("router", "show", "router1").path("external_gateway_info").toString()).contains("203.0.113.");
        assertThat(user.json("network", "list", "--external").findValuesAsText("Name")).containsExactly("public");
    }

    @Test
    void networksSubnetsPortsRoutersAndFloatingIps() {
        JsonNode net = user.json("network", "create", "--description", "cli network", "cli-net");
        assertThat(net.path("name").asText()).isEqualTo("cli-net");
        assertThat(net.path("status").asText()).isEqualTo("ACTIVE");
        JsonNode subnet = user.json("subnet", "create", "--network", "cli-net", "--subnet-range", "10.77.0.0/24",
                "--dns-nameserver", "198.51.100.53", "cli-subnet");
        assertThat(subnet.path("cidr").asText()).isEqualTo("10.77.0.0/24");
        assertThat(subnet.path("gateway_ip").asText()).isEqualTo("10.77.0.1");
        assertThat(user.json("network", "show", "cli-net").path("subnets").toString()).contains(subnet.path("id").asText());
        assertThat(user.json("network", "list").findValuesAsText("Name")).contains("cli-net", "public");

        JsonNode port = user.json("port", "create", "--network", "cli-net", "--fixed-ip", "subnet=cli-subnet,ip-address=10.77.0.10",
                "cli-port");
        assertThat(port.path("fixed_ips").toString()).contains("10.77.0.10");
        assertThat(user.json("port", "list").findValuesAsText("Name")).contains("cli-port");

        user.ok("router", "create", "cli-router");
        user.ok("router", "set", "--external-gateway", "public", "cli-router");
        user.ok("router", "add", "subnet", "cli-router", "cli-subnet");
        JsonNode router = user.json("router", "show", "cli-router");
        assertThat(router.path("external_gateway_info").toString()).contains("203.0.113.");

        JsonNode fip = user.json("floating", "ip", "create", "public");
        String address = fip.path("floating_ip_address").asText();
        assertThat(address).startsWith("203.0.113.");
        user.ok("floating", "ip", "set", "--port", "cli-port", address);
        JsonNode associated = user.json("floating", "ip", "show", address);
        assertThat(associated.path("fixed_ip_address").asText()).isEqualTo("10.77.0.10");
        assertThat(associated.path("router_id").asText()).isEqualTo(router.path("id").asText());
        user.ok("floating", "ip", "unset", "--port", address);
        assertThat(user.json("floating", "ip", "show", address).path("port_id").isNull()).isTrue();

        user.ok("floating", "ip", "delete", address);
        user.ok("router", "remove", "subnet", "cli-router", "cli-subnet");
        user.ok("router", "unset", "--external-gateway", "cli-router");
        user.ok("router", "delete", "cli-router");
        user.ok("port", "delete", "cli-port");
        user.ok("subnet", "delete", "cli-subnet");
        user.ok("network", "delete", "cli-net");
        assertThat(user.json("network", "list").findValuesAsText("Name")).doesNotContain("cli-net");
    }

    @Test
    void securityGroupsAndRules() {
        JsonNode group = user.json("security", "group", "create", "--description", "web servers", "cli-web");
        assertThat(group.path("name").asText()).isEqualTo("cli-web");
        JsonNode rule = user.json("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "22",
                "--remote-ip", "0.0.0.0/0", "cli-web");
        assertThat(rule.path("port_range_min").asInt()).isEqualTo(22);
        String ruleId = rule.path("id").asText();
        assertThat(user.json("security", "group", "rule", "show", ruleId).path("protocol").asText()).isEqualTo("tcp");
        assertThat(user.json("security", "group", "rule", "list", "cli-web").findValuesAsText("ID")).contains(ruleId);
        assertThat(user.json("security", "group", "list").findValuesAsText("Name")).contains("default", "cli-web");
        assertThat(user.json("security", "group", "show", "cli-web").path("rules").toString()).contains(ruleId);
        user.ok("security", "group", "rule", "delete", ruleId);
        user.ok("security", "group", "delete", "cli-web");
        assertThat(user.json("security", "group", "list").findValuesAsText("Name")).doesNotContain("cli-web");
    }

    @Test
    void extensionsAndAutoAllocatedTopology() {
        assertThat(user.json("extension", "list", "--network").findValuesAsText("Alias"))
                .contains("router", "external-net", "security-group", "auto-allocated-topology");
        user.ok("network", "auto", "allocated", "topology", "create", "--check-resources");
        JsonNode topology = user.json("network", "auto", "allocated", "topology", "create");
        String network = topology.path("id").asText();
        assertThat(user.json("network", "show", network).path("name").asText()).isEqualTo("auto_allocated_network");
        assertThat(user.json("router", "list").findValuesAsText("Name")).contains("auto_allocated_router");
        user.ok("network", "auto", "allocated", "topology", "delete");
        assertThat(user.json("network", "list").findValuesAsText("ID")).doesNotContain(network);
    }

    @Test
    void portsBindToAHost() {
        user.ok("network", "create", "bind-net");
        user.ok("subnet", "create", "--network", "bind-net", "--subnet-range", "10.78.0.0/24", "bind-subnet");
        assertThat(user.json("subnet", "show", "bind-subnet").path("allocation_pools").toString()).contains("10.78.0.2");
        user.ok("port", "create", "--network", "bind-net", "bind-port");
        admin.ok("port", "set", "--host", "compute-1", "--device", "vm-1", "--device-owner", "compute:nova", "bind-port");
        JsonNode port = admin.json("port", "show", "bind-port");
        assertThat(port.path("binding_host_id").asText()).isEqualTo("compute-1");
        assertThat(port.path("status").asText()).isEqualTo("ACTIVE");
        user.ok("port", "delete", "bind-port");
        user.ok("network", "delete", "bind-net");
    }

    @Test
    void serversTakeANetworkAFixedAddressAPortOrNone() throws Exception {
        java.nio.file.Path disk = cli.dataDir().resolve("net-disk.raw");
        java.nio.file.Files.write(disk, new byte[4096]);
        admin.ok("image", "create", "--file", disk.toString(), "--disk-format", "raw", "--container-format", "bare",
                "--public", "net-image");
        String net = user.json("network", "create", "srv-net").path("id").asText();
        user.ok("subnet", "create", "--network", "srv-net", "--subnet-range", "10.79.0.0/24", "srv-subnet");
        String port = user.json("port", "create", "--network", "srv-net", "--fixed-ip", "ip-address=10.79.0.20", "srv-port")
                .path("id").asText();

        JsonNode fixed = user.json("server", "create", "--image", "net-image", "--flavor", "m1.tiny",
                "--nic", "net-id=" + net + ",v4-fixed-ip=10.79.0.30", "--wait", "srv-fixed");
        assertThat(fixed.path("addresses").toString()).contains("srv-net").contains("10.79.0.30");
        JsonNode onPort = user.json("server", "create", "--image", "net-image", "--flavor", "m1.tiny",
                "--nic", "port-id=" + port, "--wait", "srv-port-server");
        assertThat(onPort.path("addresses").toString()).contains("10.79.0.20");
        assertThat(user.json("port", "show", "srv-port").path("device_id").asText()).isEqualTo(onPort.path("id").asText());
        // "none" is a string in the request, which Nova takes from microversion 2.37.
        JsonNode none = user.json("--os-compute-api-version", "2.37", "server", "create", "--image", "net-image",
                "--flavor", "m1.tiny", "--nic", "none", "--wait", "srv-none");
        assertThat(none.path("addresses").size()).isZero();
        // Taken addresses are refused before anything is made.
        OpenStackCli.Result taken = user.run("server", "create", "--image", "net-image", "--flavor", "m1.tiny",
                "--nic", "net-id=" + net + ",v4-fixed-ip=10.79.0.30", "--wait", "srv-taken");
        assertThat(taken.exit()).isNotZero();
        assertThat(taken.err()).contains("Fixed IP address 10.79.0.30 is already in use on instance " + fixed.path("id").asText());
        assertThat(user.run("server", "show", "srv-taken").exit()).isNotZero();

        // Security groups and floating IPs as the server sees them.
        user.ok("security", "group", "create", "srv-web");
        user.ok("server", "add", "security", "group", "srv-fixed", "srv-web");
        assertThat(user.json("server", "show", "srv-fixed").path("security_groups").toString()).contains("srv-web", "default");
        String portOfServer = user.json("port", "list", "--server", "srv-fixed").get(0).path("ID").asText();
        assertThat(user.json("port", "show", portOfServer).path("security_group_ids").toString())
                .contains(user.json("security", "group", "show", "srv-web").path("id").asText());
        user.ok("router", "create", "srv-router");
        user.ok("router", "set", "--external-gateway", "public", "srv-router");
        user.ok("router", "add", "subnet", "srv-router", "srv-subnet");
        String floating = user.json("floating", "ip", "create", "public").path("floating_ip_address").asText();
        user.ok("server", "add", "floating", "ip", "srv-fixed", floating);
        assertThat(user.json("server", "show", "srv-fixed").path("addresses").toString()).contains(floating);
        user.ok("server", "remove", "floating", "ip", "srv-fixed", floating);
        user.ok("server", "remove", "security", "group", "srv-fixed", "srv-web");

        // Deleting the servers frees the port made for one and keeps the port given to the other, unbound.
        user.ok("server", "delete", "--wait", "srv-fixed", "srv-port-server", "srv-none");
        JsonNode kept = user.json("port", "show", "srv-port");
        assertThat(kept.path("device_id").asText()).isEmpty();
        assertThat(user.json("port", "list", "--network", "srv-net").findValuesAsText("Fixed IP Addresses").toString())
                .doesNotContain("10.79.0.30");
    }

    @Test
    void quotaShow() {
        JsonNode quota = admin.json("quota", "show", "network-cli");
        assertThat(quota.path("networks").asInt()).isEqualTo(100);
        assertThat(quota.path("ports").asInt()).isEqualTo(500);
        assertThat(quota.path("floating-ips").asInt()).isEqualTo(50);
        assertThat(quota.path("secgroups").asInt()).isEqualTo(10);
    }
}
