package org.nubes.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Object storage as the openstack CLI sees it in a cloud started the way `nubes up` starts it:
 * the catalog gives each project its own account URL (AUTH_$(project_id)s filled in by identity).
 */
class OpenStackCliObjectStoreTest {
    private static CliCloud cli;
    private static OpenStackCli admin;

    @BeforeAll
    static void start() {
        cli = CliCloud.start();
        admin = cli.admin();
    }

    @AfterAll
    static void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    @Test
    void containersAndObjectsRoundTrip() throws Exception {
        admin.ok("container", "create", "cli-bucket");
        assertThat(admin.json("container", "list").findValuesAsText("Name")).contains("cli-bucket");

        Path source = cli.dataDir().resolve("payload.bin");
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        Files.write(source, data);
        admin.ok("object", "create", "--name", "dir/payload.bin", "cli-bucket", source.toString());
        assertThat(admin.json("object", "list", "cli-bucket").findValuesAsText("Name")).containsExactly("dir/payload.bin");

        JsonNode shown = admin.json("object", "show", "cli-bucket", "dir/payload.bin");
        assertThat(shown.path("content-length").asLong()).isEqualTo(data.length);
        Path saved = cli.dataDir().resolve("saved.bin");
        admin.ok("object", "save", "--file", saved.toString(), "cli-bucket", "dir/payload.bin");
        assertThat(Files.readAllBytes(saved)).isEqualTo(data);

        JsonNode container = admin.json("container", "show", "cli-bucket");
        assertThat(container.path("object_count").asText()).isEqualTo("1");
        assertThat(container.path("bytes_used").asText()).isEqualTo(Integer.toString(data.length));

        admin.ok("object", "delete", "cli-bucket", "dir/payload.bin");
        admin.ok("container", "delete", "cli-bucket");
        assertThat(admin.json("container", "list").findValuesAsText("Name")).doesNotContain("cli-bucket");
    }
}
