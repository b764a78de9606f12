package org.nubes.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.compute.driver.container.ContainerDriver;
import org.nubes.core.testing.Prerequisites;

/**
 * Real servers through the real client: the container driver boots the starter image, the console
 * shows what the user data script printed, and deletion leaves no container behind. Privileged:
 * it runs as root where crun is installed (CI), and is skipped elsewhere.
 */
class OpenStackCliContainerTest {
    private static CliCloud cli;
    private static OpenStackCli admin;
    /** This test's own cgroup parent, removed at the end (the driver removes each server's cgroup). */
    private static final String CGROUP_PARENT = "nubes-cli-test-" + ProcessHandle.current().pid();

    @BeforeAll
    static void start() {
        Prerequisites.require(ContainerDriver.unavailableReason().map(reason -> "container driver unavailable: " + reason));
        cli = CliCloud.start(Map.of("compute.driver", "container", "compute.report_interval", "1",
                "compute.container_cgroup_parent", CGROUP_PARENT));
        admin = cli.admin();
    }

    @AfterAll
    static void stop() {
        if (cli != null) {
            admin.run("server", "delete", "--wait", "cli-container");
            admin.run("server", "delete", "--wait", "cli-killed");
            cli.close();
            try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path hierarchy : hierarchies.toList()) {
                    Files.deleteIfExists(hierarchy.resolve(CGROUP_PARENT));
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void bootTheStarterImageWithAUserDataScript() throws Exception {
        Path script = cli.dataDir().resolve("script.sh");
        Files.writeString(script, "#!/bin/sh\necho user-data-says-hello from $(hostname)\n");
        JsonNode server = admin.json("server", "create", "--image", "busybox", "--flavor", "m1.tiny",
                "--user-data", script.toString(), "--wait", "cli-container");
        assertThat(server.path("status").asText()).isEqualTo("ACTIVE");
        String id = server.path("id").asText();

        String console = "";
        for (int tries = 0; tries < 50 && !console.contains("user-data-says-hello"); tries++) {
            Thread.sleep(100);
            console = admin.ok("console", "log", "show", "cli-container");
        }
        assertThat(console).contains("user-data-says-hello from cli-container");

        admin.ok("server", "delete", "--wait", "cli-container");
        assertThat(admin.json("server", "list").findValuesAsText("ID")).doesNotContain(id);
        assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(id);
        Process list = new ProcessBuilder("crun", "list").redirectErrorStream(true).start();
        assertThat(new String(list.getInputStream().readAllBytes())).doesNotContain(id);
    }

    @Test
    void aServerKilledOutsideTheCloudBecomesShutoffAndStartsAgain() throws Exception {
        String id = admin.json("server", "create", "--image", "busybox", "--flavor", "m1.tiny", "--wait", "cli-killed")
                .path("id").asText();
        Process state = new ProcessBuilder("crun", "state", "nubes-" + id).redirectErrorStream(true).start();
        long pid = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(state.getInputStream().readAllBytes()).path("pid").asLong();
        assertThat(pid).isPositive();
        assertThat(new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor()).isZero();
        assertThat(waitForStatus("cli-killed", "SHUTOFF")).isEqualTo("SHUTOFF");
        admin.ok("server", "start", "cli-killed");
        assertThat(waitForStatus("cli-killed", "ACTIVE")).isEqualTo("ACTIVE");
        admin.ok("server", "delete", "--wait", "cli-killed");
    }

    private static String waitForStatus(String server, String wanted) throws InterruptedException {
        String seen = null;
        for (int tries = 0; tries < 60; tries++) {
            seen = admin.json("server", "show", server).path("status").asText();
            if (seen.equals(wanted)) {
                break;
            }
            Thread.sleep(250);
        }
        return seen;
    }
}
