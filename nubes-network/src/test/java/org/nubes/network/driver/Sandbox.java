package org.nubes.network.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.nubes.core.host.Host;
import org.nubes.core.testing.Prerequisites;

/**
 * One test's piece of the machine: a driver with a namespace prefix of its own, the "servers" (plain
 * namespaces) and the processes the test starts in them. Closing it ends those processes by PID, removes
 * everything the driver and the test made, and checks that nothing with the prefix is left.
 */
final class Sandbox implements AutoCloseable {
    final String prefix = "nt" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    final LinuxNetworkDriver driver = new LinuxNetworkDriver(prefix);
    private final List<String> servers = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> directories = new ArrayList<>();

    /** Skips the test (fails it in CI) unless it runs as root with ip, nft, nsenter, busybox and ping on the PATH. */
    static void assumePrivileged() {
        Prerequisites.require(Host.isRoot(), "needs root");
        Prerequisites.require(Host.missing("ip", "nft", "nsenter", "busybox", "ping"));
    }

    static String newId() {
        return UUID.randomUUID().toString();
    }

    /** A MAC that is locally administered and unicast. */
    static String newMac() {
        byte[] bytes = new byte[6];
        ThreadLocalRandom.current().nextBytes(bytes);
        bytes[0] = (byte) ((bytes[0] & 0xfc) | 0x02);
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }

    /** A new namespace standing for a server; its name is {@code prefix-name}. */
    String server(String name) throws Exception {
        String namespace = prefix + "-" + name;
        run("ip", "netns", "add", namespace);
        servers.add(namespace);
        return namespace;
    }

    static Path netns(String namespace) {
        return Path.of("/run/netns", namespace);
    }

    /** Starts a long-running command in the namespace; it is ended by PID when the sandbox closes. */
    Process start(String namespace, String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        argv.addAll(List.of(command));
        Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(process);
        return process;
    }

    /** Whether one of three pings gets an answer. */
    boolean pings(String namespace, String address) throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (exec(namespace, "ping", "-c", "1", "-W", "0.5", address).exitCode() == 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether a TCP connection to the address and port opens within a second. */
    boolean connects(String namespace, String address, int port) throws Exception {
        return exec(namespace, "busybox", "nc", "-w", "1", address, String.valueOf(port)).exitCode() == 0;
    }

    /** Sends the request over TCP and gives back what came back; busybox wget crashes here (exit 139). */
    Command.Result send(String namespace, String address, int port, String request) throws Exception {
        return Command.run(List.of("ip", "netns", "exec", namespace, "busybox", "nc", "-w", "2", address,
                String.valueOf(port)), request);
    }

    /** Waits until something listens on the port in the namespace. */
    void awaitListening(String namespace, int port) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            if (connects(namespace, "127.0.0.1", port)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nothing listens on port " + port + " in " + namespace);
    }

    Command.Result exec(String namespace, String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        argv.addAll(List.of(command));
        return Command.run(argv, null);
    }

    static String run(String... command) throws Exception {
        return Command.check(List.of(command), null);
    }

    /** The devices in the driver's host namespace (lo only when nothing is plugged). */
    String hostDevices() throws Exception {
        return run("ip", "-n", driver.hostNamespace(), "-o", "link", "show");
    }

    String hostRuleset() throws Exception {
        return run("ip", "netns", "exec", driver.hostNamespace(), "nft", "list", "ruleset");
    }

    /** A directory with a CGI script that answers with the caller's address, for busybox httpd. */
    Path whoAmISite() throws IOException {
        Path site = Files.createTempDirectory("nubes-netdrv-site");
        directories.add(site);
        Path script = Files.createDirectories(site.resolve("cgi-bin")).resolve("whoami");
        Files.writeString(script, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n' \"$REMOTE_ADDR\"\n",
                StandardCharsets.UTF_8);
        script.toFile().setExecutable(true);
        return site;
    }

    /** Every step runs even when one before it failed; the first failure is thrown at the end. */
    @Override
    public void close() throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (Process process : processes) {
            attempt(failures, () -> {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            });
        }
        attempt(failures, driver::destroyAll);
        for (String namespace : servers) {
            attempt(failures, () -> run("ip", "netns", "del", namespace));
        }
        for (Path directory : directories) {
            attempt(failures, () -> run("rm", "-rf", "--", directory.toString()));
        }
        attempt(failures, LinuxNetworkDriver::releaseNetnsMount);
        if (!failures.isEmpty()) {
            failures.stream().skip(1).forEach(failures.getFirst()::addSuppressed);
            throw failures.getFirst();
        }
        assertThat(run("ip", "netns", "list")).doesNotContain(prefix);
        assertThat(LinuxNetworkDriver.namespaces()).noneMatch(namespace -> namespace.startsWith(prefix));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void attempt(List<Exception> failures, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            failures.add(e);
        }
    }
}
