package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code swift} CLI (Debian's python3-swiftclient) against the API, authenticating with
 * Keystone v3 at the identity test server and finding the object store in its catalog. Skipped
 * where the CLI is not installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwiftCliTest {

    private SwiftCli swift;

    @BeforeAll
    void start() {
        swift = SwiftCli.start("cli", Duration.ofMinutes(2));
    }

    @AfterAll
    void stop() {
        if (swift != null) {
            swift.close();
        }
    }

    @Test
    void uploadListStatDownloadAndDelete(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "hello from the swift CLI\n");
        byte[] big = new byte[3 * 1024 * 1024];
        new java.util.Random(1).nextBytes(big);
        Files.write(dir.resolve("big.bin"), big);

        SwiftCli.Result post = swift.run(dir, "post", "cli-container", "--meta", "Owner:cli");
        assertThat(post.exit()).as(post.err()).isZero();
        SwiftCli.Result upload = swift.run(dir, "upload", "cli-container", "hello.txt", "big.bin");
        assertThat(upload.exit()).as(upload.err()).isZero();

        SwiftCli.Result list = swift.run(dir, "list", "cli-container");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out().lines().toList()).containsExactly("big.bin", "hello.txt");

        SwiftCli.Result stat = swift.run(dir, "stat", "cli-container");
        assertThat(stat.exit()).as(stat.err()).isZero();
        assertThat(stat.out()).contains("Objects: 2").contains("Meta Owner: cli");

        SwiftCli.Result download = swift.run(dir, "download", "cli-container", "hello.txt", "-o", "copy.txt");
        assertThat(download.exit()).as(download.err()).isZero();
        assertThat(Files.readString(dir.resolve("copy.txt"), StandardCharsets.UTF_8)).isEqualTo("hello from the swift CLI\n");
        SwiftCli.Result downloadBig = swift.run(dir, "download", "cli-container", "big.bin", "-o", "big-copy.bin");
        assertThat(downloadBig.exit()).as(downloadBig.err()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("big-copy.bin"))).isEqualTo(big);

        SwiftCli.Result account = swift.run(dir, "stat");
        assertThat(account.exit()).as(account.err()).isZero();
        assertThat(account.out()).contains("Containers: 1").contains("Objects: 2");

        SwiftCli.Result delete = swift.run(dir, "delete", "cli-container");
        assertThat(delete.exit()).as(delete.err()).isZero();
        SwiftCli.Result after = swift.run(dir, "list");
        assertThat(after.exit()).as(after.err()).isZero();
        assertThat(after.out()).isEmpty();
    }
}
