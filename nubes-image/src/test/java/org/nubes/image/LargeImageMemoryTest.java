package org.nubes.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nubes.core.testing.ApiClient;

/**
 * The acceptance check, automated: a 2 GiB image uploads and downloads with the image
 * service's JVM at -Xmx256m. The service runs in a child JVM ({@link LargeImageServer}) so that
 * its heap, not this test's, is the one limited; the data is generated as it is sent and hashed
 * as it is received, so neither side ever holds it.
 */
class LargeImageMemoryTest {
    private static final long SIZE = 2L << 30;
    private static final long MIN_FREE = 5L << 30;
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void aTwoGibImageUploadsAndDownloadsWithA256MibHeap() throws Exception {
        long free = Files.getFileStore(tmp).getUsableSpace();
        assumeThat(free).as("the 2 GiB image check needs 5 GiB free in %s, has %d MiB", tmp, free >> 20)
                .isGreaterThanOrEqualTo(MIN_FREE);
        Path store = Files.createDirectory(tmp.resolve("store"));
        Path out = tmp.resolve("child.out");
        Path err = tmp.resolve("child.err");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"),
                LargeImageServer.class.getName(), store.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            String url = awaitLine(child, out, "url=");
            ApiClient client = new ApiClient(url, awaitLine(child, out, "token="));
            String id = ImageTestServer.createImage(client, "two-gib", null);
            HttpClient http = HttpClient.newHttpClient();

            GeneratedData data = new GeneratedData(SIZE, 42);
            HttpRequest put = HttpRequest.newBuilder(URI.create(url + "/v2/images/" + id + "/file"))
                    .header("X-Auth-Token", client.token()).header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> data), SIZE))
                    .build();
            HttpResponse<String> uploaded = http.send(put, HttpResponse.BodyHandlers.ofString());
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(204);
            assertThat(data.sent).isEqualTo(SIZE);

            JsonNode image = client.get("/v2/images/" + id).json();
            assertThat(image.path("status").asText()).isEqualTo("active");
            assertThat(image.path("size").asLong()).isEqualTo(SIZE);
            assertThat(image.path("checksum").asText()).isEqualTo(HexFormat.of().formatHex(data.md5.digest()));

            HttpRequest get = HttpRequest.newBuilder(URI.create(url + "/v2/images/" + id + "/file"))
                    .header("X-Auth-Token", client.token()).GET().build();
            HttpResponse<InputStream> download = http.send(get, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(download.statusCode()).isEqualTo(200);
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            long received = 0;
            try (InputStream in = download.body()) {
                byte[] buffer = new byte[1 << 20];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha256.update(buffer, 0, n);
                    received += n;
                }
            }
            assertThat(received).isEqualTo(SIZE);
            assertThat(sha256.digest()).isEqualTo(data.sha256.digest());

            assertThat(child.isAlive()).as("the image service's JVM is still running").isTrue();
        } finally {
            stop(child);
        }
        for (Path log : List.of(out, err)) {
            assertThat(Files.readString(log)).as(log.getFileName().toString()).doesNotContain("OutOfMemoryError");
        }
        // -XX:+ExitOnOutOfMemoryError makes an OOM end the JVM with status 3.
        assertThat(child.exitValue()).as("exit status of the image service's JVM").isNotEqualTo(3);
    }

    /** The value of the child's first stdout line with that prefix; fails if the child exits first. */
    private static String awaitLine(Process child, Path out, String prefix) throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            Optional<String> line = Files.readAllLines(out).stream().filter(l -> l.startsWith(prefix)).findFirst();
            if (line.isPresent()) {
                return line.get().substring(prefix.length()).strip();
            }
            assertThat(child.isAlive()).as("the image service's JVM started (exit status %s)",
                    child.isAlive() ? "-" : child.exitValue()).isTrue();
            assertThat(System.nanoTime()).as("the image service's JVM printed %s in time", prefix).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Closing its input lets the child shut its servers down and remove its temporary files. */
    private static void stop(Process child) throws Exception {
        try {
            child.getOutputStream().close();
        } catch (IOException ignored) {
            // Already gone.
        }
        if (!child.waitFor(20, TimeUnit.SECONDS)) {
            child.destroy();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Pseudo-random bytes made as they are read, with their MD5 and SHA-256 computed on the way. */
    private static final class GeneratedData extends InputStream {
        final MessageDigest md5;
        final MessageDigest sha256;
        private final long size;
        private final SplittableRandom random;
        long sent;

        GeneratedData(long size, long seed) throws Exception {
            this.size = size;
            this.random = new SplittableRandom(seed);
            this.md5 = MessageDigest.getInstance("MD5");
            this.sha256 = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (sent >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - sent);
            for (int i = 0; i < n; i += 8) {
                long v = random.nextLong();
                for (int k = 0; k < 8 && i + k < n; k++) {
                    b[off + i + k] = (byte) (v >>> (8 * k));
                }
            }
            md5.update(b, off, n);
            sha256.update(b, off, n);
            sent += n;
            return n;
        }
    }
}
