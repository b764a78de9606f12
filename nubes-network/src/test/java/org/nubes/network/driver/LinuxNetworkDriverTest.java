package org.nubes.network.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nubes.network.driver.Sandbox.netns;
import static org.nubes.network.driver.Sandbox.newId;
import static org.nubes.network.driver.Sandbox.newMac;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nubes.network.driver.PortSecurity.AllowedAddressPair;
import org.nubes.network.driver.PortSecurity.Direction;
import org.nubes.network.driver.PortSecurity.EtherType;
import org.nubes.network.driver.PortSecurity.SecurityRule;

/** The Linux driver on the real kernel: needs root, and leaves nothing behind. */
class LinuxNetworkDriverTest {
    private static final SecurityRule EGRESS_IPV4 = new SecurityRule(Direction.EGRESS, EtherType.IPV4, null, null, null);
    private static final SecurityRule EGRESS_IPV6 = new SecurityRule(Direction.EGRESS, EtherType.IPV6, null, null, null);
    private static final SecurityRule PING_IN = new SecurityRule(Direction.INGRESS, EtherType.IPV4, "icmp", null, null);

    private static final String WHO_AM_I = "GET /cgi-bin/whoami HTTP/1.0\r\n\r\n";

    private Sandbox sandbox;
    private LinuxNetworkDriver driver;

    @BeforeEach
    void setUp() throws Exception {
        Sandbox.assumePrivileged();
        sandbox = new Sandbox();
        driver = sandbox.driver;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void serversOnOneNetworkPingEachOther() throws Exception {
        String network = network();
        PortSpec a = port(network, "10.1.0.11", "10.1.0.1", new FixedIp("fd00:1::11", 64));
        PortSpec b = port(network, "10.1.0.12", "10.1.0.1", new FixedIp("fd00:1::12", 64));
        // Port security with ICMP in both families also lets neighbour discovery through.
        var icmpv6 = new SecurityRule(Direction.INGRESS, EtherType.IPV6, "icmpv6", null, null);
        driver.applyPortSecurity(security(a, List.of(), PING_IN, icmpv6, EGRESS_IPV4, EGRESS_IPV6));
        driver.applyPortSecurity(security(b, List.of(), PING_IN, icmpv6, EGRESS_IPV4, EGRESS_IPV6));

        String serverA = sandbox.server("a");
        String serverB = sandbox.server("b");
        // Compute knows a container's namespace by its process, so b is given as /proc/PID/ns/net.
        Process inB = sandbox.start(serverB, "busybox", "sleep", "600");
        long start = System.nanoTime();
        driver.plugPort(a, netns(serverA), "eth0");
        long plugged = System.nanoTime();
        driver.plugPort(b, Path.of("/proc", String.valueOf(inB.pid()), "ns", "net"), "eth0");
        System.out.printf("plugPort: %.1f ms, then %.1f ms%n", (plugged - start) / 1e6, (System.nanoTime() - plugged) / 1e6);

        assertThat(sandbox.pings(serverA, "10.1.0.12")).isTrue();
        assertThat(sandbox.pings(serverB, "10.1.0.11")).isTrue();
        assertThat(sandbox.pings(serverA, "fd00:1::12")).isTrue();
        assertThat(sandbox.exec(serverA, "ip", "-o", "addr", "show", "dev", "eth0").stdout())
                .contains("10.1.0.11/24", "fd00:1::11/64");
        assertThat(sandbox.exec(serverA, "ip", "link", "show", "eth0").stdout()).contains(a.mac(), "mtu 1450");
        assertThat(sandbox.exec(serverA, "ip", "route").stdout()).contains("default via 10.1.0.1 dev eth0");
    }

    @Test
    void aPlugThatFailsLeavesNothing() throws Exception {
        String network = network();
        String server = sandbox.server("s");
        PortSpec unknownNetwork = port(newId(), "10.9.0.10", null);
        assertThatThrownBy(() -> driver.plugPort(unknownNetwork, netns(server), "eth0"))
                .isInstanceOf(NetworkDriverException.class).hasMessageContaining(unknownNetwork.id());
        PortSpec unreachableGateway = port(network, "10.9.0.10", "10.99.0.1");
        assertThatThrownBy(() -> driver.plugPort(unreachableGateway, netns(server), "eth0"))
                .isInstanceOf(NetworkDriverException.class);
        Sandbox.run("ip", "-n", server, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1-peer");
        assertThatThrownBy(() -> driver.plugPort(port(network, "10.9.0.10", null), netns(server), "eth1"))
                .isInstanceOf(NetworkDriverException.class).hasMessageContaining("File exists");

        for (String host : List.of("/proc/self/ns/net", "/proc/" + ProcessHandle.current().pid() + "/ns/net")) {
            assertThatThrownBy(() -> driver.plugPort(port(network, "10.9.0.11", null), Path.of(host), "ntest0"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the host's own network namespace");
        }
        assertThat(Sandbox.run("ip", "-o", "link")).as("the machine's own devices").doesNotContain("ntest0");

        assertThat(sandbox.hostDevices()).doesNotContain("tap");
        assertThat(sandbox.exec(server, "ip", "-o", "link").stdout()).doesNotContain("eth0");
    }

    @Test
    void portsPlugInParallel() throws Exception {
        String network = network();
        String peer = plug("peer", port(network, "10.10.0.2", null));
        List<PortSpec> ports = new ArrayList<>();
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ports.add(port(network, "10.10.0." + (10 + i), null));
            servers.add(sandbox.server("p" + i));
        }
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> plugs = new ArrayList<>();
            for (int i = 0; i < ports.size(); i++) {
                PortSpec port = ports.get(i);
                String server = servers.get(i);
                plugs.add(threads.submit(() -> {
                    driver.applyPortSecurity(security(port, List.of(), PING_IN, EGRESS_IPV4));
                    driver.plugPort(port, netns(server), "eth0");
                    return null;
                }));
            }
            for (Future<?> plug : plugs) {
                plug.get();
            }
        }
        for (PortSpec port : ports) {
            assertThat(sandbox.pings(peer, port.fixedIps().getFirst().address())).isTrue();
        }
    }

    /** Prints how long a port takes from nothing to answering pings; asserts nothing about it. */
    @Test
    void timings() throws Exception {
        String network = network();
        String peer = plug("peer", port(network, "10.8.0.2", null));
        List<Long> secure = new ArrayList<>();
        List<Long> plug = new ArrayList<>();
        List<Long> pingable = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            PortSpec port = port(network, "10.8.0." + (10 + i), null);
            String server = sandbox.server("t" + i);
            long start = System.nanoTime();
            driver.applyPortSecurity(security(port, List.of(), PING_IN, EGRESS_IPV4));
            long secured = System.nanoTime();
            driver.plugPort(port, netns(server), "eth0");
            long plugged = System.nanoTime();
            assertThat(sandbox.pings(peer, "10.8.0." + (10 + i))).isTrue();
            secure.add(secured - start);
            plug.add(plugged - secured);
            pingable.add(System.nanoTime() - start);
        }
        System.out.printf("median of 20: applyPortSecurity %.1f ms, plugPort %.1f ms, until it answers a ping %.1f ms%n",
                median(secure), median(plug), median(pingable));
    }

    private static double median(List<Long> nanos) {
        return nanos.stream().sorted().toList().get(nanos.size() / 2) / 1e6;
    }

    @Test
    void networksWithTheSameAddressesStayApart() throws Exception {
        String first = network();
        String second = network();
        PortSpec firstA = port(first, "10.7.0.10", null);
        PortSpec secondA = port(second, "10.7.0.10", null);
        driver.applyPortSecurity(security(firstA, List.of(), PING_IN, EGRESS_IPV4));
        driver.applyPortSecurity(security(secondA, List.of(), PING_IN, EGRESS_IPV4));
        String a1 = plug("a1", firstA);
        String b1 = plug("b1", port(first, "10.7.0.20", null));
        plug("a2", secondA);
        String b2 = plug("b2", port(second, "10.7.0.20", null));
        plug("c2", port(second, "10.7.0.30", null));

        assertThat(sandbox.pings(b1, "10.7.0.10")).isTrue();
        assertThat(sandbox.pings(b2, "10.7.0.10")).isTrue();
        assertThat(sandbox.pings(a1, "10.7.0.30")).as("a server on the other network").isFalse();
        // The same connection in both networks is tracked twice, once in each network's zone.
        String conntrack = Sandbox.run("ip", "netns", "exec", driver.hostNamespace(), "cat", "/proc/net/nf_conntrack");
        assertThat(conntrack.lines().filter(line -> line.contains("src=10.7.0.20 dst=10.7.0.10"))
                .map(line -> line.replaceAll(".* zone=(\\d+).*", "$1")).distinct()).hasSize(2).doesNotContain("0");
    }

    @Test
    void aRouterJoinsTwoNetworksUntilItsInterfaceIsRemoved() throws Exception {
        String left = network();
        String right = network();
        String serverA = plug("a", port(left, "10.2.1.10", "10.2.1.1", new FixedIp("fd00:2:1::10", 64, "fd00:2:1::1")));
        String serverB = plug("b", port(right, "10.2.2.10", "10.2.2.1", new FixedIp("fd00:2:2::10", 64, "fd00:2:2::1")));
        assertThat(sandbox.pings(serverA, "10.2.2.10")).isFalse();

        String router = newId();
        driver.ensureRouter(router);
        driver.ensureRouter(router);
        driver.addRouterInterface(router, port(left, "10.2.1.1", null, new FixedIp("fd00:2:1::1", 64)));
        PortSpec rightInterface = port(right, "10.2.2.1", null, new FixedIp("fd00:2:2::1", 64));
        driver.addRouterInterface(router, rightInterface);
        driver.addRouterInterface(router, rightInterface);
        assertThat(sandbox.pings(serverA, "10.2.2.10")).isTrue();
        assertThat(sandbox.pings(serverB, "10.2.1.10")).isTrue();
        assertThat(sandbox.pings(serverA, "fd00:2:2::10")).isTrue();

        driver.removeRouterInterface(router, rightInterface.id());
        assertThat(sandbox.pings(serverA, "10.2.2.10")).isFalse();
        assertThat(sandbox.hostDevices()).doesNotContain(LinuxNetworkDriver.routerInterfaceDevice(rightInterface.id()));
    }

    @Test
    void securityGroupsLetInOnlyWhatTheRulesAllowAndRepliesAlways() throws Exception {
        String network = network();
        PortSpec guarded = port(network, "10.3.0.10", "10.3.0.1");
        PortSpec open = port(network, "10.3.0.20", "10.3.0.1");
        var web = new SecurityRule(Direction.INGRESS, EtherType.IPV4, "tcp", 8080, 8080, List.of("10.3.0.0/24"));
        driver.applyPortSecurity(security(guarded, List.of(), web, EGRESS_IPV4));
        String server = plug("guarded", guarded);
        String client = plug("open", open);
        sandbox.start(server, "busybox", "httpd", "-f", "-p", "8080", "-h", "/tmp");
        sandbox.start(server, "busybox", "httpd", "-f", "-p", "9090", "-h", "/tmp");
        sandbox.start(client, "busybox", "httpd", "-f", "-p", "7070", "-h", "/tmp");
        sandbox.awaitListening(server, 8080);
        sandbox.awaitListening(server, 9090);
        sandbox.awaitListening(client, 7070);

        assertThat(sandbox.connects(client, "10.3.0.10", 8080)).as("allowed port").isTrue();
        assertThat(sandbox.connects(client, "10.3.0.10", 9090)).as("other port").isFalse();
        assertThat(sandbox.pings(client, "10.3.0.10")).as("ping without an icmp rule").isFalse();
        assertThat(sandbox.connects(server, "10.3.0.20", 7070)).as("egress, and its replies").isTrue();

        driver.applyPortSecurity(security(guarded, List.of(), web, PING_IN, EGRESS_IPV4));
        assertThat(sandbox.pings(client, "10.3.0.10")).as("ping with an icmp rule").isTrue();

        driver.applyPortSecurity(security(guarded, List.of(), web));
        assertThat(sandbox.connects(server, "10.3.0.20", 7070)).as("no egress rule").isFalse();
        assertThat(sandbox.connects(client, "10.3.0.10", 8080)).as("still allowed port").isTrue();

        driver.applyPortSecurity(PortSecurity.disabled(guarded.id(), guarded.mac()));
        assertThat(sandbox.connects(client, "10.3.0.10", 9090)).as("port security disabled").isTrue();
    }

    @Test
    void aFloatingIpReachesTheServerFromOutsideAndSnatLetsServersOut() throws Exception {
        String external = network();
        String tenant = network();
        String outside = plug("outside", port(external, "203.0.113.50", null));
        PortSpec guarded = port(tenant, "10.4.0.10", "10.4.0.1");
        var web = new SecurityRule(Direction.INGRESS, EtherType.IPV4, "tcp", 8080, 8080);
        driver.applyPortSecurity(security(guarded, List.of(), web, EGRESS_IPV4));
        String withFloatingIp = plug("fip", guarded);
        String withoutFloatingIp = plug("nofip", port(tenant, "10.4.0.11", "10.4.0.1"));
        sandbox.start(outside, "busybox", "httpd", "-f", "-p", "8000", "-h", sandbox.whoAmISite().toString());
        sandbox.start(withFloatingIp, "busybox", "httpd", "-f", "-p", "8080", "-h", "/tmp");

        String router = newId();
        driver.ensureRouter(router);
        driver.addRouterInterface(router, port(tenant, "10.4.0.1", null));
        PortSpec gateway = port(external, "203.0.113.10", "203.0.113.1");
        driver.setRouterGateway(router, gateway, true);
        driver.setRouterGateway(router, gateway, true);
        sandbox.awaitListening(outside, 8000);
        sandbox.awaitListening(withFloatingIp, 8080);
        assertThat(whoAmI(withoutFloatingIp)).as("SNAT to the router's address").isEqualTo("203.0.113.10");
        assertThat(sandbox.connects(outside, "203.0.113.20", 8080)).isFalse();

        driver.associateFloatingIp(router, "203.0.113.20", "10.4.0.10");
        driver.associateFloatingIp(router, "203.0.113.20", "10.4.0.10");
        assertThat(sandbox.connects(outside, "203.0.113.20", 8080)).as("through the floating IP").isTrue();
        assertThat(sandbox.pings(outside, "203.0.113.20")).as("the security group still applies").isFalse();
        assertThat(whoAmI(withFloatingIp)).as("SNAT to the floating IP").isEqualTo("203.0.113.20");
        assertThat(whoAmI(withoutFloatingIp)).isEqualTo("203.0.113.10");

        driver.disassociateFloatingIp(router, "203.0.113.20");
        driver.disassociateFloatingIp(router, "203.0.113.20");
        assertThat(sandbox.connects(outside, "203.0.113.20", 8080)).isFalse();
        assertThat(whoAmI(withFloatingIp)).isEqualTo("203.0.113.10");

        driver.setRouterGateway(router, gateway, false);
        assertThat(sandbox.send(withoutFloatingIp, "203.0.113.50", 8000, WHO_AM_I).ok())
                .as("no SNAT, no way back").isFalse();
        assertThat(sandbox.pings(outside, "203.0.113.10")).isTrue();
        driver.clearRouterGateway(router);
        assertThat(sandbox.pings(outside, "203.0.113.10")).isFalse();
    }

    @Test
    void aServerCannotSendFromAnAddressThatIsNotItsOwn() throws Exception {
        String network = network();
        PortSpec guarded = port(network, "10.5.0.10", "10.5.0.1");
        var pingIn = security(guarded, List.of(), PING_IN, EGRESS_IPV4);
        driver.applyPortSecurity(pingIn);
        String server = plug("guarded", guarded);
        String peer = plug("peer", port(network, "10.5.0.20", "10.5.0.1"));
        assertThat(sandbox.pings(server, "10.5.0.20")).isTrue();

        moveAddress(server, "10.5.0.10/24", "10.5.0.99/24");
        assertThat(sandbox.pings(server, "10.5.0.20")).as("spoofed address").isFalse();
        assertThat(sandbox.pings(peer, "10.5.0.99")).isFalse();

        driver.applyPortSecurity(security(guarded, List.of(new AllowedAddressPair("10.5.0.96/29", null)), PING_IN,
                EGRESS_IPV4));
        assertThat(sandbox.pings(server, "10.5.0.20")).as("allowed address pair").isTrue();

        moveAddress(server, "10.5.0.99/24", "10.5.0.10/24");
        Sandbox.run("ip", "-n", server, "link", "set", "eth0", "address", newMac());
        assertThat(sandbox.pings(server, "10.5.0.20")).as("spoofed MAC").isFalse();
    }

    @Test
    void doingThingsTwiceIsHarmlessAndRemovingLeavesNothing() throws Exception {
        String network = network();
        driver.ensureNetwork(new NetworkSpec(network, 1450));
        PortSpec port = port(network, "10.6.0.10", "10.6.0.1");
        PortSecurity security = security(port, List.of(), PING_IN, EGRESS_IPV4);
        driver.applyPortSecurity(security);
        driver.applyPortSecurity(security);
        String server = sandbox.server("s");
        driver.plugPort(port, netns(server), "eth0");
        driver.plugPort(port, netns(server), "eth0");
        PortSpec peerPort = port(network, "10.6.0.20", "10.6.0.1");
        String peer = plug("peer", peerPort);
        assertThat(sandbox.pings(peer, "10.6.0.10")).isTrue();
        String router = newId();
        driver.ensureRouter(router);
        driver.addRouterInterface(router, port(network, "10.6.0.1", null));
        driver.setRoutes(router, List.of(new Route("10.99.0.0/16", "10.6.0.20")));
        driver.setRoutes(router, List.of(new Route("10.98.0.0/16", "10.6.0.20")));
        assertThat(Sandbox.run("ip", "-n", driver.routerNamespace(router), "route"))
                .contains("10.98.0.0/16 via 10.6.0.20").doesNotContain("10.99.0.0/16");

        // A driver started afresh adopts what is there.
        var restarted = new LinuxNetworkDriver(sandbox.prefix);
        restarted.ensureNetwork(new NetworkSpec(network, 1450));
        restarted.ensureRouter(router);
        restarted.applyPortSecurity(security);
        assertThat(sandbox.pings(peer, "10.6.0.10")).isTrue();

        for (int time = 0; time < 2; time++) {
            restarted.unplugPort(port.id());
            restarted.unplugPort(peerPort.id());
            restarted.applyPortSecurity(PortSecurity.disabled(port.id(), port.mac()));
            restarted.deleteRouter(router);
            restarted.disassociateFloatingIp(router, "203.0.113.20");
            restarted.clearRouterGateway(router);
            restarted.removeRouterInterface(router, newId());
        }
        assertThat(sandbox.exec(server, "ip", "-o", "link").stdout()).doesNotContain("eth0");
        assertThat(sandbox.hostRuleset()).doesNotContain(LinuxNetworkDriver.portDevice(port.id()));
        assertThat(LinuxNetworkDriver.namespaces()).doesNotContain(driver.routerNamespace(router));
        restarted.deleteNetwork(network);
        restarted.deleteNetwork(network);
        assertThat(sandbox.hostDevices().strip().lines()).hasSize(1).allMatch(line -> line.contains(" lo:"));
    }

    private String network() throws Exception {
        String id = newId();
        driver.ensureNetwork(new NetworkSpec(id, 1450));
        return id;
    }

    private static PortSpec port(String network, String ip, String gateway, FixedIp... more) {
        List<FixedIp> ips = new ArrayList<>(List.of(new FixedIp(ip, 24, gateway)));
        ips.addAll(List.of(more));
        return new PortSpec(newId(), network, newMac(), 1450, ips);
    }

    /** A new server with the port plugged as eth0. */
    private String plug(String name, PortSpec port) throws Exception {
        String server = sandbox.server(name);
        driver.plugPort(port, netns(server), "eth0");
        return server;
    }

    private static PortSecurity security(PortSpec port, List<AllowedAddressPair> pairs, SecurityRule... rules) {
        List<String> ips = port.fixedIps().stream().map(FixedIp::address).toList();
        return new PortSecurity(port.id(), true, port.mac(), ips, pairs, List.of(rules));
    }

    private static void moveAddress(String server, String from, String to) throws Exception {
        Sandbox.run("ip", "-n", server, "addr", "del", from, "dev", "eth0");
        Sandbox.run("ip", "-n", server, "addr", "add", to, "dev", "eth0");
    }

    /** The address the outside web server sees the server's requests come from. */
    private String whoAmI(String server) throws Exception {
        String response = sandbox.send(server, "203.0.113.50", 8000, WHO_AM_I).orThrow().strip();
        // busybox httpd listens on IPv6 too, so it sees IPv4 peers as [::ffff:a.b.c.d].
        return response.substring(response.lastIndexOf('\n') + 1).replace("[::ffff:", "").replace("]", "");
    }
}
