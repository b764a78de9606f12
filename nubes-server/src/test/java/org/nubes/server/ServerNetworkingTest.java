package org.nubes.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.compute.driver.container.ContainerDriver;
import org.nubes.network.driver.LinuxNetworkDriver;
import org.nubes.core.testing.Prerequisites;

/**
 * Container servers on real tenant networks, driven through the openstack CLI: two servers on a
 * network reach each other; servers on two networks do not until a router joins the networks; a
 * deleted server's port is gone; an interface attached to a running server works and detaches; a
 * security group rule opens one TCP port and nothing else, follows the server's groups as they
 * change and closes the port again when deleted; a floating IP reaches the server from a namespace
 * on the external network; the metadata service answers inside the server. Privileged: root with crun, ip and nft (CI); skipped elsewhere.
 * Every namespace of the test carries its own prefix and is removed at the end.
 */
class ServerNetworkingTest {
    private static final Pattern IPV4 = Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+)");
    private static final String CGROUP_PARENT = "nubes-net-test-" + ProcessHandle.current().pid();
    private static CliCloud cli;
    private static OpenStackCli admin;

    @BeforeAll
    static void start() {
        Prerequisites.require(ContainerDriver.unavailableReason().map(reason -> "container driver unavailable: " + reason));
        Prerequisites.require(LinuxNetworkDriver.unavailableReason().map(reason -> "linux network driver unavailable: " + reason));
        cli = CliCloud.start(Map.of("compute.driver", "container", "compute.report_interval", "1",
                "compute.container_cgroup_parent", CGROUP_PARENT, "network.driver", "linux",
                "network.namespace_prefix", "nt" + ProcessHandle.current().pid()));
        admin = cli.admin();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cli != null) {
            for (String server : new String[] {"net-a", "net-b", "net-c", "net-web"}) {
                admin.run("server", "delete", "--wait", server);
            }
            Path log = cli.dataDir().resolve("log/nubes.log");
            if (Files.exists(log)) { // what the host could not do, should a check above have failed
                Files.readAllLines(log).stream().filter(l -> l.contains("WARN")).forEach(System.out::println);
            }
            cli.close();
            try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path hierarchy : hierarchies.toList()) {
                    Files.deleteIfExists(hierarchy.resolve(CGROUP_PARENT));
                }
            }
        }
    }

    @Test
    void serversOnANetworkReachEachOtherAndARouterJoinsTwoNetworks() throws Exception {
        admin.ok("network", "create", "net-1");
        admin.ok("subnet", "create", "--network", "net-1", "--subnet-range", "10.31.0.0/24", "sub-1");
        admin.ok("network", "create", "net-2");
        admin.ok("subnet", "create", "--network", "net-2", "--subnet-range", "10.32.0.0/24", "sub-2");

        String a = boot("net-a", "net-1");
        String b = boot("net-b", "net-1");
        String c = boot("net-c", "net-2");
        String addressOfB = address("net-b");
        String addressOfC = address("net-c");
        assertThat(addressOfB).startsWith("10.31.0.");
        assertThat(addressOfC).startsWith("10.32.0.");

        assertThat(ping(a, addressOfB)).as("same network, same (default) security group").isTrue();
        assertThat(ping(a, addressOfC)).as("another network without a router").isFalse();

        admin.ok("router", "create", "router-1");
        admin.ok("router", "add", "subnet", "router-1", "sub-1");
        admin.ok("router", "add", "subnet", "router-1", "sub-2");
        assertThat(ping(a, addressOfC)).as("the router joins the networks").isTrue();
        assertThat(ping(c, addressOfB)).isTrue();

        admin.ok("router", "remove", "subnet", "router-1", "sub-2");
        assertThat(ping(a, addressOfC)).as("the router left net-2").isFalse();

        // An interface attached to the running server (os-interface) reaches net-2 directly, and goes again.
        admin.ok("server", "add", "network", "net-a", "net-2");
        assertThat(admin.ok("server", "show", "net-a", "-c", "addresses", "-f", "value")).contains("net-2");
        assertThat(ping(a, addressOfC)).as("an interface on net-2").isTrue();
        admin.ok("server", "remove", "network", "net-a", "net-2");
        assertThat(admin.json("port", "list", "--server", "net-a")).hasSize(1);
        assertThat(ping(a, addressOfC)).as("the interface detached").isFalse();

        admin.ok("server", "delete", "--wait", "net-b");
        assertThat(admin.json("port", "list", "--device-id", b)).as("the deleted server's port").isEmpty();
        assertThat(ping(a, addressOfB)).isFalse();
    }

    @Test
    void aSecurityGroupOpensOnePortAndAFloatingIpReachesTheServerFromOutside() throws Exception {
        admin.ok("security", "group", "create", "web");
        String opens8080 = admin.json("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "8080",
                "--remote-ip", "0.0.0.0/0", "web").path("id").asText();
        Path script = cli.dataDir().resolve("web.sh");
        Files.writeString(script, """
                #!/bin/sh
                mkdir -p /tmp/www && echo hello-from-web > /tmp/www/index.html
                busybox httpd -p 8080 -h /tmp/www
                busybox httpd -p 9090 -h /tmp/www
                for i in $(seq 1 50); do id=$(wget -qO- http://169.254.169.254/latest/meta-data/instance-id) && break; sleep 0.1; done
                echo "metadata-says: $id"
                """);
        String web = admin.json("server", "create", "--image", "busybox", "--flavor", "m1.tiny", "--network", "private",
                "--security-group", "web", "--user-data", script.toString(), "--wait", "net-web").path("id").asText();
        awaitConsole("net-web", "metadata-says: " + web);

        String floating = admin.json("floating", "ip", "create", "public").path("floating_ip_address").asText();
        admin.ok("server", "add", "floating", "ip", "net-web", floating);
        // The networking service tells the compute service (a network-changed event), which reads the server's ports again.
        String addresses = "";
        for (int tries = 0; tries < 50 && !addresses.contains(floating); tries++) {
            Thread.sleep(100);
            addresses = admin.ok("server", "show", "net-web", "-c", "addresses", "-f", "value");
        }
        assertThat(addresses).contains(floating);

        // Outside: a namespace on the external network, through a port of its own like any host's.
        Path outside = cli.dataDir().resolve("outside-netns");
        Files.createFile(outside);
        run("unshare", "--net=" + outside, "true");
        try {
            admin.ok("port", "create", "--network", "public", "--no-security-group", "--disable-port-security", "--host", "outside",
                    "--binding-profile", "nubes_netns=" + outside, "--binding-profile", "nubes_device=eth0", "outside");
            assertThat(fetch(outside, floating, 8080)).as("the open port").contains("hello-from-web");
            assertThat(fetch(outside, floating, 9090)).as("a port no rule opens").isEmpty();
            assertThat(pingFrom(outside, floating)).as("no icmp rule").isFalse();

            admin.ok("security", "group", "rule", "create", "--protocol", "icmp", "web");
            assertThat(pingFrom(outside, floating)).as("a rule added to a server's group applies at once").isTrue();

            admin.ok("server", "remove", "security", "group", "net-web", "web");
            assertThat(fetch(outside, floating, 8080)).as("the group removed from the server").isEmpty();
            admin.ok("server", "add", "security", "group", "net-web", "web");
            assertThat(fetch(outside, floating, 8080)).as("and added again").contains("hello-from-web");

            admin.ok("security", "group", "rule", "delete", opens8080);
            assertThat(fetch(outside, floating, 8080)).as("the rule that opened the port deleted").isEmpty();
            admin.ok("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "8080", "--remote-ip", "0.0.0.0/0", "web");
            assertThat(fetch(outside, floating, 8080)).as("and made again").contains("hello-from-web");

            admin.ok("server", "remove", "floating", "ip", "net-web", floating);
            assertThat(fetch(outside, floating, 8080)).as("the floating IP let go").isEmpty();
        } finally {
            admin.run("port", "delete", "outside");
            run("umount", outside.toString());
        }
    }

    private static void awaitConsole(String server, String text) throws InterruptedException {
        String console = "";
        for (int tries = 0; tries < 100 && !console.contains(text); tries++) {
            Thread.sleep(100);
            console = admin.ok("console", "log", "show", server);
        }
        assertThat(console).contains(text);
    }

    /** The body of http://address:port/ from inside the namespace, or "" when nothing answers in time. */
    private static String fetch(Path netns, String address, int port) throws Exception {
        Process curl = new ProcessBuilder("nsenter", "--net=" + netns, "curl", "-s", "-m", "2", "http://" + address + ":" + port + "/")
                .redirectErrorStream(true).start();
        String body = new String(curl.getInputStream().readAllBytes());
        assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return curl.exitValue() == 0 ? body : "";
    }

    private static boolean pingFrom(Path netns, String address) throws Exception {
        Process ping = new ProcessBuilder("nsenter", "--net=" + netns, "ping", "-c", "1", "-W", "2", address)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(ping.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return ping.exitValue() == 0;
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }

    private static String boot(String name, String network) {
        admin.run("server", "create", "--image", "busybox", "--flavor", "m1.tiny", "--network", network, "--wait", name);
        JsonNode server = admin.json("server", "show", name);
        assertThat(server.path("status").asText()).as(name + ": " + server.path("fault")).isEqualTo("ACTIVE");
        return server.path("id").asText();
    }

    private static String address(String server) {
        Matcher ip = IPV4.matcher(admin.ok("server", "show", server, "-c", "addresses", "-f", "value"));
        assertThat(ip.find()).as("an address of " + server).isTrue();
        return ip.group(1);
    }

    /** One ping from inside the server's network namespace. */
    private static boolean ping(String serverId, String address) throws Exception {
        return pingFrom(cli.dataDir().resolve("compute/servers").resolve(serverId).resolve("netns"), address);
    }
}
