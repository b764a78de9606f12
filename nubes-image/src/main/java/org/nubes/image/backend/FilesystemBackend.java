package org.nubes.image.backend;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * Image data as one file per key in one directory.
 *
 * <p>A put streams into a temporary file in the same directory (so the final rename stays on one
 * file system), computing size, MD5 and SHA-512 on the way, forces it to disk, renames it over the
 * key atomically and forces the directory. Where the file system allows it, data is written and
 * read with O_DIRECT (see {@code DirectSink} and {@code DirectInputStream}): an upload neither
 * fills the page cache nor pays to flush it, and a download reads the disk at its own speed
 * rather than through a cache that a multi-GiB image would only churn. Temporary files start with a dot, which no
 * key may, so they never collide with data. Concurrent puts to one key each write their own
 * temporary file; the last rename wins and every reader sees one complete version. A move is a
 * rename within the directory, so data moved from one key to another is never written twice.
 */
public final class FilesystemBackend implements ImageBackend {
    /** Large enough that the disk, not the per-call overhead, sets the pace. */
    static final int BUFFER_SIZE = 1 << 20;

    static final String TEMP_PREFIX = ".put-";

    /** A file name that cannot be ".", "..", hidden, or a path: no separators, starts with a letter or digit. */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    /**
     * Writes that may run at once. Each holds a few MiB of buffers; more uploads than this wait
     * for a turn (their senders are slowed by TCP) instead of growing the heap.
     */
    static final int CONCURRENT_WRITES = 16;

    private final Semaphore writes = new Semaphore(CONCURRENT_WRITES, true);
    private final Path dir;
    private final boolean directIo;
    private final int alignment;

    public FilesystemBackend(Path dir) {
        this(dir, true);
    }

    /**
     * With directIo false, data always goes through the page cache: slower to write (the cache is
     * filled, then forced out) and to read cold, but a repeated download reads from memory. With
     * true (the default) O_DIRECT is used where the file system supports it.
     */
    public FilesystemBackend(Path dir, boolean directIo) {
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        int block;
        try {
            Files.createDirectories(this.dir);
            block = (int) Math.max(4096, Math.min(Files.getFileStore(this.dir).getBlockSize(), Integer.MAX_VALUE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create image data directory " + this.dir, e);
        } catch (UnsupportedOperationException e) {
            block = 4096;
        }
        this.alignment = block;
        // A power of two that divides the chunk size, or no O_DIRECT.
        this.directIo = directIo && Integer.bitCount(block) == 1 && BUFFER_SIZE % block == 0;
    }

    public Path directory() {
        return dir;
    }

    /** {@inheritDoc} A negative maxBytes means no limit. */
    @Override
    public Stored put(String key, InputStream data, long maxBytes) throws IOException {
        try {
            writes.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a turn to write " + key);
        }
        try {
            return write(key, data, maxBytes);
        } finally {
            writes.release();
        }
    }

    private Stored write(String key, InputStream data, long maxBytes) throws IOException {
        Path target = path(key);
        long limit = maxBytes < 0 ? Long.MAX_VALUE : maxBytes;
        Objects.requireNonNull(data, "data");
        MessageDigest md5 = digest("MD5");
        MessageDigest sha512 = digest("SHA-512");
        Path temp = Files.createTempFile(dir, TEMP_PREFIX + key + "-", ".tmp");
        long size;
        try {
            Sink direct = directIo ? DirectSink.open(temp, alignment) : null;
            try (Sink out = direct != null ? direct : new BufferedSink(temp)) {
                size = copy(data, out, limit, md5, sha512);
                out.finish();
            }
            move(temp, target);
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        forceDirectory();
        HexFormat hex = HexFormat.of();
        return new Stored(size, hex.formatHex(md5.digest()), hex.formatHex(sha512.digest()));
    }

    /** Chunks in flight: read or being written by the caller, and queued for or in the hashes. */
    private static final int BUFFERS = 4;

    /**
     * Copies data to out, hashing on the way. MD5 and SHA-512 each run on their own virtual thread,
     * taking the chunks in order, while this thread reads and writes the next ones: the two hashes
     * cost about 1.3 core-seconds per GiB each, so done one after the other on the receiving
     * thread they, not the disk, would set the pace. A few buffers in a ring let the reader run
     * ahead of the slower hash; a buffer is reused only when both hashes are done with it.
     */
    private static long copy(InputStream data, Sink out, long maxBytes, MessageDigest md5, MessageDigest sha512)
            throws IOException {
        byte[][] buffers = new byte[BUFFERS][BUFFER_SIZE];
        Future<?>[][] pending = new Future<?>[BUFFERS][];
        long size = 0;
        try (ExecutorService md5Thread = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());
                ExecutorService shaThread = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory())) {
            try {
                for (int k = 0; ; k = (k + 1) % BUFFERS) {
                    await(pending[k]);
                    pending[k] = null;
                    byte[] buffer = buffers[k];
                    int n = data.readNBytes(buffer, 0, buffer.length);
                    if (n <= 0) {
                        break;
                    }
                    size += n;
                    if (size > maxBytes) {
                        throw new TooLargeException("image data exceeds the limit of " + maxBytes + " bytes");
                    }
                    pending[k] = new Future<?>[] {
                        md5Thread.submit(() -> md5.update(buffer, 0, n)), shaThread.submit(() -> sha512.update(buffer, 0, n))
                    };
                    out.write(buffer, n);
                }
            } finally {
                for (Future<?>[] p : pending) {
                    await(p);
                }
            }
        }
        return size;
    }

    /** Waits for a chunk's hashes (a millisecond or so each); an interrupt is kept for the caller to see. */
    private static void await(Future<?>[] futures) {
        if (futures == null) {
            return;
        }
        boolean interrupted = false;
        for (Future<?> future : futures) {
            while (true) {
                try {
                    future.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("hashing failed", e.getCause());
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Where a put's bytes go: the temporary file. */
    private interface Sink extends AutoCloseable {
        /** Writes a chunk; every chunk but the last is BUFFER_SIZE bytes. */
        void write(byte[] chunk, int length) throws IOException;

        /** Writes what is left and forces the file, data and metadata, to the disk. */
        void finish() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Through the page cache. */
    private static final class BufferedSink implements Sink {
        private final FileChannel channel;

        BufferedSink(Path file) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
        }

        @Override
        public void write(byte[] chunk, int length) throws IOException {
            writeFully(channel, ByteBuffer.wrap(chunk, 0, length));
        }

        @Override
        public void finish() throws IOException {
            channel.force(true);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * With O_DIRECT, past the page cache: the data has to reach the disk before the image is
     * active anyway, and filling the page cache first and forcing it out afterwards costs as much
     * CPU as a hash. O_DIRECT needs block-aligned memory, offsets and lengths, so a chunk is copied
     * into an aligned native buffer, and the unaligned tail of the last chunk goes through a plain
     * channel.
     */
    private static final class DirectSink implements Sink {
        private final Path file;
        private final int alignment;
        private final FileChannel channel;
        private final Arena arena = Arena.ofConfined();
        private final ByteBuffer aligned;
        private long position;
        private byte[] tail;

        private DirectSink(Path file, int alignment, FileChannel channel) {
            this.file = file;
            this.alignment = alignment;
            this.channel = channel;
            this.aligned = arena.allocate(BUFFER_SIZE, alignment).asByteBuffer();
        }

        /** A direct sink, or null where the file system does not take O_DIRECT (tmpfs, some FUSE). */
        static Sink open(Path file, int alignment) {
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            } catch (IOException | UnsupportedOperationException e) {
                return null;
            }
            try {
                return new DirectSink(file, alignment, channel);
            } catch (RuntimeException e) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        @Override
        public void write(byte[] chunk, int length) throws IOException {
            if (tail != null) {
                throw new IllegalStateException("a chunk after the last one");
            }
            int whole = length - length % alignment;
            if (whole > 0) {
                aligned.clear().put(chunk, 0, whole).flip();
                writeFully(channel, aligned);
                position += whole;
            }
            if (whole < length) {
                tail = Arrays.copyOfRange(chunk, whole, length);
            }
        }

        @Override
        public void finish() throws IOException {
            if (tail == null) {
                channel.force(true);
                return;
            }
            try (FileChannel plain = FileChannel.open(file, StandardOpenOption.WRITE)) {
                writeFully(plain.position(position), ByteBuffer.wrap(tail));
                plain.force(true);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                channel.close();
            } finally {
                arena.close();
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
        Path file = path(key);
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        if (length < -1) {
            throw new IllegalArgumentException("length must be -1 (to the end) or at least 0: " + length);
        }
        if (directIo) {
            InputStream direct = DirectInputStream.open(file, offset, length, alignment);
            if (direct != null) {
                return direct;
            }
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            channel.position(offset);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        InputStream in = Channels.newInputStream(channel);
        return length < 0 ? in : new BoundedInputStream(in, length);
    }

    /**
     * Reads with O_DIRECT in aligned chunks of BUFFER_SIZE: on a cold file the page cache costs
     * more than the disk (reads through it ran at a third of the disk's speed on the test VM), and
     * images are read once per boot host rather than kept hot. The first chunk starts at the
     * aligned offset below the requested one and skips the difference.
     */
    private static final class DirectInputStream extends InputStream {
        private final FileChannel channel;
        private final int alignment;
        private final Arena arena = Arena.ofShared();
        private final ByteBuffer buffer;
        private boolean closed;
        private long filePosition;
        private long remaining;
        private int skip;
        private boolean endOfFile;

        private DirectInputStream(FileChannel channel, long offset, long length, int alignment) throws IOException {
            this.channel = channel;
            this.alignment = alignment;
            this.buffer = arena.allocate(BUFFER_SIZE, alignment).asByteBuffer().limit(0);
            long size = channel.size();
            long available = Math.max(0, size - offset);
            this.remaining = length < 0 ? available : Math.min(length, available);
            this.filePosition = offset - offset % alignment;
            this.skip = (int) (offset % alignment);
        }

        /** A direct stream, or null where the file system does not take O_DIRECT. */
        static InputStream open(Path file, long offset, long length, int alignment) throws IOException {
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
            } catch (NoSuchFileException e) {
                throw e;
            } catch (IOException | UnsupportedOperationException e) {
                return null;
            }
            try {
                return new DirectInputStream(channel, offset, length, alignment);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (remaining <= 0 || (!buffer.hasRemaining() && !fill())) {
                return -1;
            }
            int n = (int) Math.min(Math.min(len, buffer.remaining()), remaining);
            buffer.get(b, off, n);
            remaining -= n;
            return n;
        }

        /** Reads the next aligned chunk; false at the end of the file. */
        private boolean fill() throws IOException {
            while (!buffer.hasRemaining()) {
                if (endOfFile) {
                    return false;
                }
                buffer.clear();
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer, filePosition + buffer.position());
                    // Only the end of the file gives none or a partial block; reading on from an
                    // unaligned position would fail anyway.
                    if (n <= 0 || buffer.position() % alignment != 0) {
                        endOfFile = true;
                        break;
                    }
                }
                filePosition += buffer.position();
                buffer.flip();
                int skipped = Math.min(skip, buffer.remaining());
                buffer.position(skipped);
                skip -= skipped;
            }
            return true;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = 0;
            while (skipped < n && remaining > 0 && (buffer.hasRemaining() || fill())) {
                int step = (int) Math.min(Math.min(n - skipped, buffer.remaining()), remaining);
                buffer.position(buffer.position() + step);
                remaining -= step;
                skipped += step;
            }
            return skipped;
        }

        @Override
        public int available() {
            return (int) Math.min(buffer.remaining(), remaining);
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close();
            } finally {
                arena.close();
            }
        }
    }

    /** {@inheritDoc} A rename(2) within the directory, which is then forced so the rename survives a crash. */
    @Override
    public void move(String from, String to) throws IOException {
        move(path(from), path(to));
        forceDirectory();
    }

    @Override
    public void delete(String key) throws IOException {
        if (Files.deleteIfExists(path(key))) {
            forceDirectory();
        }
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(path(key));
    }

    /** The file of a key; rejects any key that is not a plain file name inside the directory. */
    Path path(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid image data key: " + key);
        }
        return dir.resolve(key);
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Same directory, so this only happens on exotic file systems; rename(2) replaces anyway.
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename or unlink durable; best effort where directories cannot be opened. */
    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // Not every platform lets a directory be opened for fsync; the data file itself was forced.
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by every JDK", e);
        }
    }

    /** At most {@code remaining} bytes of the underlying stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(Math.min(n, remaining));
            remaining -= skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
