package org.nubes.image.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBackendTest {
    @TempDir
    Path tmp;

    @Test
    void constructorCreatesTheDirectory() {
        Path dir = tmp.resolve("a/b/images");
        new FilesystemBackend(dir);
        assertThat(dir).isDirectory();
    }

    @Test
    void roundTripKeepsTheBytesAndReportsSizeAndHashes() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        // Not a multiple of the buffer, so the last partial chunk is covered too.
        byte[] data = random(3 * FilesystemBackend.BUFFER_SIZE + 12_345, 1);

        ImageBackend.Stored stored = backend.put("img-1", new ByteArrayInputStream(data), Long.MAX_VALUE);

        assertThat(stored.size()).isEqualTo(data.length);
        assertThat(stored.md5()).isEqualTo(hex("MD5", data));
        assertThat(stored.sha512()).isEqualTo(hex("SHA-512", data));
        assertThat(backend.exists("img-1")).isTrue();
        try (InputStream in = backend.open("img-1", 0, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void theBufferedPathStoresTheSameBytes() throws Exception {
        // Where O_DIRECT is unavailable (tmpfs) writes go through the page cache.
        FilesystemBackend backend = new FilesystemBackend(tmp, false);
        for (int size : new int[] {0, 1, 4096, FilesystemBackend.BUFFER_SIZE, 2 * FilesystemBackend.BUFFER_SIZE + 777}) {
            byte[] data = random(size, size);
            ImageBackend.Stored stored = backend.put("b" + size, new ByteArrayInputStream(data), Long.MAX_VALUE);
            assertThat(stored).isEqualTo(new ImageBackend.Stored(size, hex("MD5", data), hex("SHA-512", data)));
            assertThat(read(backend, "b" + size, 0, -1)).isEqualTo(data);
        }
        byte[] big = random(3 * FilesystemBackend.BUFFER_SIZE, 11);
        assertThatThrownBy(() -> backend.put("b0", new ByteArrayInputStream(big), FilesystemBackend.BUFFER_SIZE))
                .isInstanceOf(ImageBackend.TooLargeException.class);
        assertThat(read(backend, "b0", 0, -1)).isEmpty();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void sizesAroundBlockAndChunkBoundariesRoundTrip() throws Exception {
        // The direct path writes whole blocks and the unaligned tail separately.
        FilesystemBackend backend = new FilesystemBackend(tmp);
        int chunk = FilesystemBackend.BUFFER_SIZE;
        for (int size : new int[] {1, 511, 512, 4095, 4096, 4097, chunk - 1, chunk, chunk + 1, 2 * chunk + 4096}) {
            byte[] data = random(size, size);
            ImageBackend.Stored stored = backend.put("s", new TrickleInputStream(data, 100_000), Long.MAX_VALUE);
            assertThat(stored).as("size %d", size).isEqualTo(new ImageBackend.Stored(size, hex("MD5", data), hex("SHA-512", data)));
            assertThat(read(backend, "s", 0, -1)).as("size %d", size).isEqualTo(data);
        }
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void emptyDataIsStored() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        ImageBackend.Stored stored = backend.put("empty", InputStream.nullInputStream(), 0);
        assertThat(stored).isEqualTo(new ImageBackend.Stored(0, hex("MD5", new byte[0]), hex("SHA-512", new byte[0])));
        try (InputStream in = backend.open("empty", 0, -1)) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void exactlyMaxBytesIsAllowed() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        byte[] data = random(1000, 2);
        assertThat(backend.put("k", new ByteArrayInputStream(data), 1000).size()).isEqualTo(1000);
    }

    @Test
    void aNegativeLimitMeansNoLimit() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        assertThat(backend.put("k", new ByteArrayInputStream(random(5000, 10)), -1).size()).isEqualTo(5000);
    }

    @Test
    void rangeReads() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        byte[] data = random(100_000, 3);
        backend.put("r", new ByteArrayInputStream(data), Long.MAX_VALUE);

        assertThat(read(backend, "r", 0, 10)).isEqualTo(Arrays.copyOfRange(data, 0, 10));
        assertThat(read(backend, "r", 500, 1000)).isEqualTo(Arrays.copyOfRange(data, 500, 1500));
        assertThat(read(backend, "r", 99_990, -1)).isEqualTo(Arrays.copyOfRange(data, 99_990, 100_000));
        assertThat(read(backend, "r", 99_990, 1000)).isEqualTo(Arrays.copyOfRange(data, 99_990, 100_000));
        assertThat(read(backend, "r", 42, 0)).isEmpty();
        assertThat(read(backend, "r", 100_000, -1)).isEmpty();
        assertThat(read(backend, "r", 200_000, -1)).isEmpty();

        try (InputStream in = backend.open("r", 10, 5)) {
            assertThat(in.read()).isEqualTo(data[10] & 0xff);
            assertThat(in.skip(3)).isEqualTo(3);
            assertThat(in.read()).isEqualTo(data[14] & 0xff);
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThatThrownBy(() -> backend.open("r", -1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backend.open("r", 0, -2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rangeReadsAroundBlockAndChunkBoundaries() throws Exception {
        int chunk = FilesystemBackend.BUFFER_SIZE;
        byte[] data = random(2 * chunk + 5000, 12);
        for (FilesystemBackend backend : new FilesystemBackend[] {new FilesystemBackend(tmp), new FilesystemBackend(tmp, false)}) {
            backend.put("r", new ByteArrayInputStream(data), Long.MAX_VALUE);
            long[] offsets = {0, 1, 4095, 4096, 4097, chunk - 1, chunk, chunk + 1, 2 * chunk, 2 * chunk + 4096, data.length - 1};
            for (long offset : offsets) {
                for (long length : new long[] {-1, 1, 4096, chunk, chunk + 3}) {
                    int from = (int) offset;
                    int to = length < 0 ? data.length : (int) Math.min(data.length, offset + length);
                    assertThat(read(backend, "r", offset, length)).as("offset %d length %d", offset, length)
                            .isEqualTo(Arrays.copyOfRange(data, from, to));
                }
            }
            // Byte by byte and with skips, through every path of the stream.
            try (InputStream in = backend.open("r", chunk - 2, 6)) {
                assertThat(in.read()).isEqualTo(data[chunk - 2] & 0xff);
                assertThat(in.skip(2)).isEqualTo(2);
                assertThat(in.read(new byte[10], 0, 10)).isEqualTo(3);
                assertThat(in.read()).isEqualTo(-1);
                in.close();
            }
        }
    }

    @Test
    void openOfAMissingKeyFails() {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        assertThatThrownBy(() -> backend.open("missing", 0, -1)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> new FilesystemBackend(tmp, false).open("missing", 0, -1)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void tooLargeLeavesNothingAndKeepsTheOldData() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        byte[] old = random(5000, 4);
        backend.put("k", new ByteArrayInputStream(old), Long.MAX_VALUE);

        byte[] big = random(2 * FilesystemBackend.BUFFER_SIZE, 5);
        assertThatThrownBy(() -> backend.put("k", new ByteArrayInputStream(big), FilesystemBackend.BUFFER_SIZE + 1))
                .isInstanceOf(ImageBackend.TooLargeException.class);
        assertThatThrownBy(() -> backend.put("fresh", new ByteArrayInputStream(big), 10))
                .isInstanceOf(ImageBackend.TooLargeException.class);

        assertThat(read(backend, "k", 0, -1)).isEqualTo(old);
        assertThat(backend.exists("fresh")).isFalse();
        assertThat(leftovers()).isEmpty();
        assertThat(files()).containsExactly("k");
    }

    @Test
    void aFailingInputStreamLeavesNothingAndKeepsTheOldData() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        byte[] old = random(5000, 6);
        backend.put("k", new ByteArrayInputStream(old), Long.MAX_VALUE);

        IOException broken = new IOException("connection reset");
        assertThatThrownBy(() -> backend.put("k", failingAfter(3 * FilesystemBackend.BUFFER_SIZE / 2, broken), Long.MAX_VALUE))
                .isSameAs(broken);
        assertThatThrownBy(() -> backend.put("other", failingAfter(10, broken), Long.MAX_VALUE)).isSameAs(broken);

        assertThat(read(backend, "k", 0, -1)).isEqualTo(old);
        assertThat(backend.exists("other")).isFalse();
        assertThat(leftovers()).isEmpty();
        assertThat(files()).containsExactly("k");
    }

    @Test
    void putReplacesExistingData() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        backend.put("k", new ByteArrayInputStream(random(10_000, 7)), Long.MAX_VALUE);
        byte[] next = random(300, 8);
        backend.put("k", new ByteArrayInputStream(next), Long.MAX_VALUE);
        assertThat(read(backend, "k", 0, -1)).isEqualTo(next);
    }

    @Test
    void concurrentPutsToOneKeyLeaveOneCompleteVersion() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        int writers = 8;
        List<byte[]> versions = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            versions.add(random(FilesystemBackend.BUFFER_SIZE + 1000 * i, 100 + i));
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ImageBackend.Stored>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (byte[] version : versions) {
                results.add(pool.submit(() -> {
                    start.await();
                    // Small reads interleave the writers.
                    return backend.put("shared", new TrickleInputStream(version, 8192), Long.MAX_VALUE);
                }));
            }
            start.countDown();
            for (Future<ImageBackend.Stored> result : results) {
                result.get();
            }
        }

        byte[] stored = read(backend, "shared", 0, -1);
        assertThat(versions).anySatisfy(v -> assertThat(stored).isEqualTo(v));
        assertThat(leftovers()).isEmpty();
        assertThat(files()).containsExactly("shared");
    }

    @Test
    void moveRenamesTheFileWithoutCopyingAndReplacesTheTarget() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        byte[] data = random(2 * FilesystemBackend.BUFFER_SIZE + 99, 12);
        backend.put("k.staging", new ByteArrayInputStream(data), Long.MAX_VALUE);
        backend.put("k", new ByteArrayInputStream(random(10, 13)), Long.MAX_VALUE);
        Object inode = Files.getAttribute(tmp.resolve("k.staging"), "unix:ino");

        backend.move("k.staging", "k");

        // The same inode under the new name: the bytes were not written a second time.
        assertThat(Files.getAttribute(tmp.resolve("k"), "unix:ino")).isEqualTo(inode);
        assertThat(read(backend, "k", 0, -1)).isEqualTo(data);
        assertThat(backend.exists("k.staging")).isFalse();
        assertThat(files()).containsExactly("k");
    }

    @Test
    void moveOfAMissingKeyFailsAndChangesNothing() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        byte[] old = random(100, 14);
        backend.put("k", new ByteArrayInputStream(old), Long.MAX_VALUE);
        assertThatThrownBy(() -> backend.move("missing", "k")).isInstanceOf(NoSuchFileException.class);
        assertThat(read(backend, "k", 0, -1)).isEqualTo(old);
        assertThatThrownBy(() -> backend.move("k", "../escape")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backend.move("..", "k")).isInstanceOf(IllegalArgumentException.class);
        assertThat(files()).containsExactly("k");
    }

    @Test
    void deleteRemovesAndDeletingAMissingKeySucceeds() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp);
        backend.put("k", new ByteArrayInputStream(random(10, 9)), Long.MAX_VALUE);
        backend.delete("k");
        assertThat(backend.exists("k")).isFalse();
        backend.delete("k");
        backend.delete("never-there");
        assertThat(files()).isEmpty();
    }

    @Test
    void keysCannotEscapeTheDirectory() throws Exception {
        Path dir = tmp.resolve("images");
        FilesystemBackend backend = new FilesystemBackend(dir);
        Files.writeString(tmp.resolve("secret"), "outside");
        for (String bad : new String[] {"", ".", "..", "../secret", "a/b", "a\\b", "/etc/passwd", ".hidden",
                FilesystemBackend.TEMP_PREFIX + "x", "a\0b", "x".repeat(201), " k", "k\n"}) {
            assertThatThrownBy(() -> backend.put(bad, InputStream.nullInputStream(), 10))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> backend.open(bad, 0, -1)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> backend.delete(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> backend.exists(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> backend.put(null, InputStream.nullInputStream(), 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tmp.resolve("secret")).hasContent("outside");
        // Image ids and staging keys are fine.
        backend.put("3f6e2c1a-9b7d-4e2f-8a1b-0c9d8e7f6a5b", InputStream.nullInputStream(), 0);
        backend.put("staging.3f6e2c1a-9b7d-4e2f-8a1b-0c9d8e7f6a5b", InputStream.nullInputStream(), 0);
        backend.put("x".repeat(200), InputStream.nullInputStream(), 0);
    }

    private static byte[] read(ImageBackend backend, String key, long offset, long length) throws IOException {
        try (InputStream in = backend.open(key, offset, length)) {
            return in.readAllBytes();
        }
    }

    private List<String> leftovers() throws IOException {
        return files().stream().filter(name -> name.startsWith(".")).toList();
    }

    private List<String> files() throws IOException {
        try (Stream<Path> list = Files.list(tmp)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    /** Delivers count bytes, then fails with the given exception, as a dropped connection does. */
    private static InputStream failingAfter(int count, IOException failure) {
        return new InputStream() {
            private int delivered;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (delivered >= count) {
                    throw failure;
                }
                int n = Math.min(len, count - delivered);
                Arrays.fill(b, off, off + n, (byte) 7);
                delivered += n;
                return n;
            }
        };
    }

    /** Hands out at most chunk bytes per read, yielding between reads. */
    private static final class TrickleInputStream extends InputStream {
        private final ByteArrayInputStream in;
        private final int chunk;

        TrickleInputStream(byte[] data, int chunk) {
            this.in = new ByteArrayInputStream(data);
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Thread.yield();
            return in.read(b, off, Math.min(len, chunk));
        }
    }

    @Test
    void moreWritersThanAllowedWaitForATurnAndAllComplete() throws Exception {
        FilesystemBackend backend = new FilesystemBackend(tmp, false);
        int writers = FilesystemBackend.CONCURRENT_WRITES + 4;
        CountDownLatch release = new CountDownLatch(1);
        List<Future<ImageBackend.Stored>> puts = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < writers; i++) {
                String key = "w" + i;
                puts.add(pool.submit(() -> backend.put(key, new InputStream() {
                    private int left = 3;

                    @Override
                    public int read() throws IOException {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                        return left-- > 0 ? 'x' : -1;
                    }
                }, -1)));
            }
            try {
                // every allowed writer has its temp file; the others wait without one
                for (int i = 0; i < 200 && temps() < FilesystemBackend.CONCURRENT_WRITES; i++) {
                    Thread.sleep(50);
                }
                Thread.sleep(200);
                assertThat(temps()).isEqualTo(FilesystemBackend.CONCURRENT_WRITES);
            } finally {
                release.countDown();
            }
            for (Future<ImageBackend.Stored> put : puts) {
                assertThat(put.get().size()).isEqualTo(3);
            }
        }
        assertThat(temps()).isZero();
        for (int i = 0; i < writers; i++) {
            assertThat(backend.exists("w" + i)).isTrue();
        }
    }

    private long temps() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count();
        }
    }
}
