package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segmented upload with the real {@code swift} CLI ({@code --use-slo --segment-size}) and its
 * download, compared by SHA-256 as streams. 64 MiB in 8 MiB segments by default; the size is the
 * system property {@code nubes.swift.slo.bytes} (run once by hand with 1 GiB). Also {@code swift
 * copy}, which sends the COPY method. Skipped where the CLI is not installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwiftCliLargeObjectTest {
    private static final long SIZE = Long.getLong("nubes.swift.slo.bytes", 64L * 1024 * 1024);
    private static final long SEGMENT = 8L * 1024 * 1024;

    private SwiftCli swift;

    @BeforeAll
    void start() {
        swift = SwiftCli.start("slo", Duration.ofMinutes(30));
    }

    @AfterAll
    void stop() {
        if (swift != null) {
            swift.close();
        }
    }

    /** Writes size pseudo-random bytes a buffer at a time. */
    private static void writeRandom(Path file, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        byte[] buffer = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; ) {
                for (int i = 0; i < buffer.length; i += 8) {
                    long v = random.nextLong();
                    for (int j = 0; j < 8; j++) {
                        buffer[i + j] = (byte) (v >>> (8 * j));
                    }
                }
                int n = (int) Math.min(buffer.length, left);
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void segmentedUploadWithSloDownloadsTheSameBytes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("large.bin");
        writeRandom(file, SIZE);

        long start = System.nanoTime();
        SwiftCli.Result upload = swift.run(dir, "upload", "big", "large.bin", "--use-slo", "--segment-size", Long.toString(SEGMENT));
        long uploaded = System.nanoTime();
        assertThat(upload.exit()).as(upload.err()).isZero();

        SwiftCli.Result stat = swift.run(dir, "stat", "big", "large.bin");
        assertThat(stat.exit()).as(stat.err()).isZero();
        assertThat(stat.out()).contains("Content Length: " + SIZE);
        SwiftCli.Result segments = swift.run(dir, "list", "big_segments");
        assertThat(segments.exit()).as(segments.err()).isZero();
        assertThat(segments.out().lines().count()).isEqualTo((SIZE + SEGMENT - 1) / SEGMENT);

        long downloadStart = System.nanoTime();
        SwiftCli.Result download = swift.run(dir, "download", "big", "large.bin", "-o", "copy.bin");
        long downloaded = System.nanoTime();
        assertThat(download.exit()).as(download.err()).isZero();
        assertThat(Files.size(dir.resolve("copy.bin"))).isEqualTo(SIZE);
        assertThat(sha256(dir.resolve("copy.bin"))).isEqualTo(sha256(file));
        System.out.printf("swift --use-slo: %d MiB in %d MiB segments, upload %.1f s, download %.1f s%n",
                SIZE >> 20, SEGMENT >> 20, (uploaded - start) / 1e9, (downloaded - downloadStart) / 1e9);

        // Deleting the manifest with the CLI deletes its segments too.
        SwiftCli.Result delete = swift.run(dir, "delete", "big", "large.bin");
        assertThat(delete.exit()).as(delete.err()).isZero();
        SwiftCli.Result after = swift.run(dir, "list", "big_segments");
        assertThat(after.exit()).as(after.err()).isZero();
        assertThat(after.out()).isEmpty();
    }

    @Test
    void copyWithTheCliUsesTheCopyMethod(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("note.txt"), "copied by the CLI\n");
        SwiftCli.Result upload = swift.run(dir, "upload", "copy-src", "note.txt");
        assertThat(upload.exit()).as(upload.err()).isZero();
        SwiftCli.Result post = swift.run(dir, "post", "copy-dst");
        assertThat(post.exit()).as(post.err()).isZero();

        SwiftCli.Result copy = swift.run(dir, "copy", "--destination", "/copy-dst/renamed.txt", "-m", "Color:green", "copy-src", "note.txt");
        assertThat(copy.exit()).as(copy.err()).isZero();

        SwiftCli.Result stat = swift.run(dir, "stat", "copy-dst", "renamed.txt");
        assertThat(stat.exit()).as(stat.err()).isZero();
        assertThat(stat.out()).contains("Meta Color: green").contains("Content Length: 18");
        SwiftCli.Result download = swift.run(dir, "download", "copy-dst", "renamed.txt", "-o", "back.txt");
        assertThat(download.exit()).as(download.err()).isZero();
        assertThat(Files.readString(dir.resolve("back.txt"))).isEqualTo("copied by the CLI\n");
    }
}
