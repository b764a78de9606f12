package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.nubes.core.http.CatalogEntry;
import org.nubes.objectstore.ObjectStoreTestServer.Client;

/**
 * The real {@code swift} CLI (Debian's python3-swiftclient) against the API, authenticating with
 * Keystone v3 at the identity test server and finding the object store in its catalog. Skipped
 * where the CLI is not installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwiftCliTest {
    private static final Path SWIFT = Path.of("/usr/bin/swift");

    private ObjectStoreTestServer server;
    private Client user;

    @BeforeAll
    void start() {
        Assumptions.assumeTrue(Files.isExecutable(SWIFT) && keystoneClientInstalled(),
                "the swift CLI with Keystone v3 support (python3-swiftclient, python3-keystoneclient) is not installed");
        server = new ObjectStoreTestServer();
        user = server.project("cli", "member");
        // The identity service does not fill in $(project_id)s in catalog URLs yet, so the test
        // catalogs this project's account URL itself.
        server.identity().identity().bootstrap(List.of(
                new CatalogEntry("identity", "keystone", server.identity().url()),
                new CatalogEntry("object-store", "swift", server.url() + user.account())));
    }

    /** swiftclient needs python-keystoneclient for Keystone v3 authentication. */
    private static boolean keystoneClientInstalled() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import keystoneclient.v3, keystoneauth1")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private record Result(int exit, String out, String err) {}

    private Result swift(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SWIFT.toString(),
                "--os-auth-url", server.identity().url() + "/v3", "--auth-version", "3",
                "--os-username", "cli-user", "--os-password", "pw-cli", "--os-project-name", "cli",
                "--os-user-domain-id", "default", "--os-project-domain-id", "default"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(workDir.resolve("out.txt").toFile()).redirectError(workDir.resolve("err.txt").toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("swift " + String.join(" ", args) + " did not finish");
        }
        return new Result(process.exitValue(), Files.readString(workDir.resolve("out.txt")), Files.readString(workDir.resolve("err.txt")));
    }

    @Test
    void uploadListStatDownloadAndDelete(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "hello from the swift CLI\n");
        byte[] big = new byte[3 * 1024 * 1024];
        new java.util.Random(1).nextBytes(big);
        Files.write(dir.resolve("big.bin"), big);

        Result post = swift(dir, "post", "cli-container", "--meta", "Owner:cli");
        assertThat(post.exit()).as(post.err()).isZero();
        Result upload = swift(dir, "upload", "cli-container", "hello.txt", "big.bin");
        assertThat(upload.exit()).as(upload.err()).isZero();

        Result list = swift(dir, "list", "cli-container");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out().lines().toList()).containsExactly("big.bin", "hello.txt");

        Result stat = swift(dir, "stat", "cli-container");
        assertThat(stat.exit()).as(stat.err()).isZero();
        assertThat(stat.out()).contains("Objects: 2").contains("Meta Owner: cli");

        Result download = swift(dir, "download", "cli-container", "hello.txt", "-o", "copy.txt");
        assertThat(download.exit()).as(download.err()).isZero();
        assertThat(Files.readString(dir.resolve("copy.txt"), StandardCharsets.UTF_8)).isEqualTo("hello from the swift CLI\n");
        Result downloadBig = swift(dir, "download", "cli-container", "big.bin", "-o", "big-copy.bin");
        assertThat(downloadBig.exit()).as(downloadBig.err()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("big-copy.bin"))).isEqualTo(big);

        Result account = swift(dir, "stat");
        assertThat(account.exit()).as(account.err()).isZero();
        assertThat(account.out()).contains("Containers: 1").contains("Objects: 2");

        Result delete = swift(dir, "delete", "cli-container");
        assertThat(delete.exit()).as(delete.err()).isZero();
        Result after = swift(dir, "list");
        assertThat(after.exit()).as(after.err()).isZero();
        assertThat(after.out()).isEmpty();
    }
}
