package org.nubes.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compute service as a real client sees it: python-openstackclient against a cloud started
 * the way `nubes up` starts it, with the fake driver. A member of a new project does what a user
 * does: flavors, a key pair, a server through its life, a snapshot, and deletion.
 */
class OpenStackCliComputeTest {
    private static CliCloud cli;
    private static OpenStackCli admin;
    private static OpenStackCli user;

    @BeforeAll
    static void start() throws Exception {
        cli = CliCloud.start();
        admin = cli.admin();
        admin.ok("project", "create", "compute-cli");
        admin.ok("user", "create", "--password", "pw-compute", "--project", "compute-cli", "compute-user");
        admin.ok("role", "add", "--project", "compute-cli", "--user", "compute-user", "member");
        user = cli.user("compute-user", "pw-compute", "compute-cli");
        Path disk = cli.dataDir().resolve("disk.raw");
        Files.write(disk, new byte[64 * 1024]);
        admin.ok("image", "create", "--file", disk.toString(), "--disk-format", "raw", "--container-format", "bare",
                "--public", "cli-base");
    }

    @AfterAll
    static void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    @Test
    void flavorsAsAdminAndUser() {
        assertThat(user.json("flavor", "list").findValuesAsText("Name"))
                .contains("m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge");
        JsonNode made = admin.json("flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", "cli.small");
        assertThat(made.path("name").asText()).isEqualTo("cli.small");
        assertThat(user.json("flavor", "show", "cli.small").path("ram").asInt()).isEqualTo(256);
        OpenStackCli.Result denied = user.run("flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", "mine");
        assertThat(denied.exit()).isNotZero();
        admin.ok("flavor", "delete", "cli.small");
    }

    @Test
    void aServerThroughItsLife() {
        user.ok("keypair", "create", "cli-key");
        assertThat(user.json("keypair", "list").findValuesAsText("Name")).contains("cli-key");

        JsonNode server = user.json("server", "create", "--image", "cli-base", "--flavor", "m1.tiny",
                "--key-name", "cli-key", "--wait", "cli-server");
        assertThat(server.path("status").asText()).isEqualTo("ACTIVE");
        String id = server.path("id").asText();
        assertThat(user.json("server", "list").findValuesAsText("ID")).contains(id);
        assertThat(user.json("server", "show", "cli-server").path("key_name").asText()).isEqualTo("cli-key");

        user.ok("server", "stop", "cli-server");
        waitFor("cli-server", "SHUTOFF");
        user.ok("server", "start", "cli-server");
        waitFor("cli-server", "ACTIVE");
        user.ok("server", "reboot", "--wait", "cli-server");
        waitFor("cli-server", "ACTIVE");
        user.ok("server", "pause", "cli-server");
        waitFor("cli-server", "PAUSED");
        user.ok("server", "unpause", "cli-server");
        waitFor("cli-server", "ACTIVE");

        user.ok("server", "resize", "--flavor", "m1.small", "--wait", "cli-server");
        waitFor("cli-server", "VERIFY_RESIZE");
        user.ok("server", "resize", "confirm", "cli-server");
        waitFor("cli-server", "ACTIVE");
        assertThat(user.json("server", "show", "cli-server").path("flavor").asText()).contains("m1.small");

        assertThat(user.ok("console", "log", "show", "cli-server")).contains("cli-server login:");

        JsonNode snapshot = user.json("server", "image", "create", "--name", "cli-snap", "--wait", "cli-server");
        assertThat(snapshot.path("status").asText()).isEqualTo("active");
        assertThat(user.json("image", "show", "cli-snap").path("properties").toString()).contains(id);

        assertThat(user.json("server", "event", "list", "cli-server").findValuesAsText("Action"))
                .contains("create", "stop", "start", "reboot", "pause", "unpause", "resize", "confirmResize", "createImage");

        user.ok("server", "delete", "--wait", "cli-server");
        assertThat(user.json("server", "list").findValuesAsText("ID")).doesNotContain(id);
        assertThat(user.run("server", "show", id).exit()).isNotZero();
    }

    /** Actions other than the --wait ones return at once; the status follows when the agent is done. */
    private static void waitFor(String server, String status) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String seen = null;
        while (System.nanoTime() < deadline) {
            seen = user.json("server", "show", server).path("status").asText();
            if (seen.equals(status)) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError(server + " did not become " + status + " in 30 s; last seen " + seen);
    }

    @Test
    void hypervisorsAggregatesAndZonesAsAdmin() {
        JsonNode hypervisors = admin.json("hypervisor", "list");
        String host = hypervisors.get(0).path("Hypervisor Hostname").asText();
        assertThat(admin.json("hypervisor", "show", host).path("hypervisor_type").asText()).isEqualTo("fake");
        assertThat(admin.json("hypervisor", "stats", "show").path("count").asInt()).isEqualTo(1);
        assertThat(admin.json("compute", "service", "list").findValuesAsText("Binary")).contains("nova-compute");

        admin.ok("aggregate", "create", "--zone", "cli-zone", "cli-rack");
        admin.ok("aggregate", "add", "host", "cli-rack", host);
        assertThat(admin.json("aggregate", "show", "cli-rack").path("hosts").toString()).contains(host);
        assertThat(admin.json("availability", "zone", "list", "--compute").findValuesAsText("Zone Name")).contains("cli-zone");
        admin.ok("aggregate", "remove", "host", "cli-rack", host);
        admin.ok("aggregate", "delete", "cli-rack");
        assertThat(admin.json("availability", "zone", "list", "--compute").findValuesAsText("Zone Name")).contains("nova");
    }
}
