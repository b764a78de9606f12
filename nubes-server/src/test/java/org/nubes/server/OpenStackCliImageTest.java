package org.nubes.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image service as a real client sees it: python-openstackclient (through openstacksdk)
 * against a cloud started the way `nubes up` starts it. Outside CI the test is skipped when the
 * CLI is not installed.
 */
class OpenStackCliImageTest {
    private static CliCloud cli;
    private static OpenStackCli admin;
    private static Path dataDir;

    @BeforeAll
    static void start() {
        cli = CliCloud.start();
        admin = cli.admin();
        dataDir = cli.dataDir();
    }

    @AfterAll
    static void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    @Test
    void createListShowSaveAndDelete() throws Exception {
        Path source = randomFile("disk.raw", 3 * 1024 * 1024 + 4321, 1);

        JsonNode created = admin.json("image", "create", "--file", source.toString(),
                "--disk-format", "raw", "--container-format", "bare", "cli-image");
        String id = created.path("id").asText();
        assertThat(id).hasSize(36);

        assertThat(admin.json("image", "list").findValuesAsText("ID")).contains(id);
        assertThat(admin.json("image", "list", "--name", "cli-image").findValuesAsText("Name")).containsExactly("cli-image");

        JsonNode shown = admin.json("image", "show", id);
        assertThat(shown.path("name").asText()).isEqualTo("cli-image");
        assertThat(shown.path("status").asText()).isEqualTo("active");
        assertThat(shown.path("disk_format").asText()).isEqualTo("raw");
        assertThat(shown.path("container_format").asText()).isEqualTo("bare");
        assertThat(shown.path("size").asLong()).isEqualTo(Files.size(source));
        assertThat(shown.path("checksum").asText()).isEqualTo(hash("MD5", source));
        assertThat(shown.toString()).contains(hash("SHA-512", source));

        Path saved = dataDir.resolve("saved.raw");
        admin.ok("image", "save", "--file", saved.toString(), id);
        assertThat(Files.size(saved)).isEqualTo(Files.size(source));
        assertThat(hash("SHA-256", saved)).isEqualTo(hash("SHA-256", source));

        admin.ok("image", "delete", id);
        OpenStackCli.Result gone = admin.run("image", "show", id);
        assertThat(gone.exit()).isNotZero();
        assertThat(admin.json("image", "list").findValuesAsText("ID")).doesNotContain(id);
    }

    @Test
    void setAndUnsetPropertiesAndTags() throws Exception {
        Path source = randomFile("props.raw", 64 * 1024, 2);
        String id = admin.json("image", "create", "--file", source.toString(),
                "--disk-format", "raw", "--container-format", "bare", "cli-props").path("id").asText();

        admin.ok("image", "set", "--property", "os_distro=cirros", "--property", "cli_key=cli-value",
                "--tag", "first", "--tag", "second", id);
        JsonNode shown = admin.json("image", "show", id);
        assertThat(properties(shown)).contains("os_distro", "cli_key");
        assertThat(shown.toString()).contains("cli-value", "cirros");
        assertThat(tags(shown)).contains("first", "second");

        admin.ok("image", "unset", "--property", "cli_key", "--tag", "first", id);
        JsonNode after = admin.json("image", "show", id);
        assertThat(properties(after)).contains("os_distro").doesNotContain("cli_key");
        assertThat(tags(after)).contains("second").doesNotContain("first");

        admin.ok("image", "delete", id);
    }

    @Test
    void anotherProjectSeesASharedImageOnceItAccepts() throws Exception {
        admin.json("project", "create", "image-consumer");
        admin.json("user", "create", "--password", "consumer-pw", "--project", "image-consumer", "image-consumer-user");
        admin.ok("role", "add", "--user", "image-consumer-user", "--project", "image-consumer", "member");
        String consumerProject = admin.json("project", "show", "image-consumer").path("id").asText();
        OpenStackCli consumer = cli.user("image-consumer-user", "consumer-pw", "image-consumer");

        Path source = randomFile("shared.raw", 1024 * 1024 + 17, 3);
        String id = admin.json("image", "create", "--file", source.toString(),
                "--disk-format", "raw", "--container-format", "bare", "--shared", "cli-shared").path("id").asText();
        assertThat(consumer.json("image", "list").findValuesAsText("ID")).doesNotContain(id);

        admin.ok("image", "add", "project", id, consumerProject);
        // Pending: not in the consumer's list yet.
        assertThat(consumer.json("image", "list").findValuesAsText("ID")).doesNotContain(id);

        consumer.ok("image", "set", "--accept", id);
        assertThat(consumer.json("image", "list").findValuesAsText("ID")).contains(id);
        assertThat(consumer.json("image", "show", id).path("name").asText()).isEqualTo("cli-shared");
        Path saved = dataDir.resolve("consumer-saved.raw");
        consumer.ok("image", "save", "--file", saved.toString(), id);
        assertThat(hash("SHA-256", saved)).isEqualTo(hash("SHA-256", source));

        admin.ok("image", "delete", id);
    }

    private static List<String> properties(JsonNode image) {
        List<String> names = new ArrayList<>();
        JsonNode properties = image.path("properties");
        properties.fieldNames().forEachRemaining(names::add);
        // Older clients print custom properties at the top level.
        image.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> tags(JsonNode image) {
        JsonNode tags = image.path("tags");
        List<String> out = new ArrayList<>();
        if (tags.isArray()) {
            tags.forEach(t -> out.add(t.asText()));
        } else {
            // "a, b" in some client versions
            for (String t : tags.asText().split(",")) {
                if (!t.isBlank()) {
                    out.add(t.strip());
                }
            }
        }
        return out;
    }

    private static Path randomFile(String name, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        Path file = dataDir.resolve(name);
        Files.write(file, data);
        return file;
    }

    private static String hash(String algorithm, Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance(algorithm);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
