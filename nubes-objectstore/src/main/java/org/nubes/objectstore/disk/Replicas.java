package org.nubes.objectstore.disk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.nubes.core.json.Json;
import org.nubes.objectstore.ring.Device;
import org.nubes.objectstore.ring.Ring;

/**
 * The objects on the devices of the ring, in Swift's layout:
 * {@code <device>/objects/<partition>/<suffix>/<hash>/<timestamp>.data} (with its metadata in
 * {@code <timestamp>.json}), {@code <timestamp>.ts} for a delete and {@code <timestamp>.meta} for a
 * POST. The newest timestamp wins; older files of the object are removed once a newer one is in place.
 *
 * <p>Writes go to temporary files under {@code <device>/tmp}, are fsynced, then renamed into place
 * and the directory fsynced, so a crash leaves either the whole new file or nothing visible. All
 * replicas are committed in parallel; an operation succeeds when a quorum of them did, and a
 * replica that failed is left stale for the replicator ({@code replication.Replicator}) to repair.
 */
public final class Replicas {
    private static final String DATA = ".data";
    private static final String META = ".meta";
    private static final String TOMBSTONE = ".ts";
    private static final String DATA_META = ".json";

    private final Ring ring;

    public Replicas(Ring ring) {
        this.ring = ring;
    }

    public Ring ring() {
        return ring;
    }

    /** What one device holds of an object. */
    public sealed interface State {
        Timestamp time();

        record Present(Device device, Path data, ObjectMeta meta) implements State {
            @Override
            public Timestamp time() {
                return meta.time();
            }
        }

        /** tombstone: the .ts file; its content is read only by those who need it ({@link #path}). */
        record Deleted(Device device, Timestamp time, Path tombstone) implements State {
            /** "account/container/object" as the tombstone holds it; null in older tombstones. */
            public String path() throws IOException {
                String path = Files.readString(tombstone, StandardCharsets.UTF_8);
                return path.isEmpty() ? null : path;
            }
        }
    }

    // ---- writes

    /** Starts a PUT: a temporary file on every device of the object's partition. */
    public Upload upload(Ring.Location location) {
        return new Upload(location);
    }

    /**
     * One PUT in progress. The body is written to every replica's temporary file as it arrives (a
     * replica whose disk fails is dropped); {@link #commit} makes it visible; {@link #close} without
     * a commit removes the temporary files.
     */
    public final class Upload implements AutoCloseable {
        private final Ring.Location location;
        private final List<Slot> slots = new ArrayList<>();
        private final MessageDigest md5;
        private long size;
        private boolean committed;

        private Upload(Ring.Location location) {
            this.location = location;
            this.md5 = md5();
            for (Device device : location.devices()) {
                try {
                    Path temp = tempPath(device, location.hash());
                    slots.add(new Slot(device, temp, createTemp(device, temp)));
                } catch (IOException | RuntimeException e) {
                    // This device is left out; the commit decides whether enough remain.
                }
            }
        }

        public void write(byte[] buffer, int offset, int length) {
            md5.update(buffer, offset, length);
            size += length;
            for (Slot slot : slots) {
                if (slot.failed) {
                    continue;
                }
                try {
                    ByteBuffer bytes = ByteBuffer.wrap(buffer, offset, length);
                    while (bytes.hasRemaining()) {
                        slot.channel.write(bytes);
                    }
                } catch (IOException e) {
                    slot.failed = true;
                }
            }
        }

        public long size() {
            return size;
        }

        /** The md5 of what was written so far, in hex. */
        public String etag() {
            try {
                return HexFormat.of().formatHex(((MessageDigest) md5.clone()).digest());
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }

        /** fsync + rename on every healthy replica in parallel; the number of replicas now stored. */
        public int commit(ObjectMeta meta) {
            committed = true;
            byte[] json = Json.bytes(meta.withPath(location.path()));
            List<Callable<Boolean>> tasks = new ArrayList<>();
            for (Slot slot : slots) {
                tasks.add(() -> {
                    if (slot.failed) {
                        return false;
                    }
                    slot.channel.force(true);
                    slot.channel.close();
                    Path dir = Files.createDirectories(hashDir(slot.device, location));
                    // The metadata first: the .data rename is the commit point, and readers ignore a lone .json.
                    writeAtomically(slot.device, dir, meta.timestamp() + DATA_META, json);
                    Files.move(slot.temp, dir.resolve(meta.timestamp() + DATA), StandardCopyOption.ATOMIC_MOVE);
                    fsyncDirectory(dir);
                    cleanup(dir, meta.time());
                    return true;
                });
            }
            int stored = parallel(tasks);
            close();
            return stored;
        }

        @Override
        public void close() {
            for (Slot slot : slots) {
                try {
                    slot.channel.close();
                    Files.deleteIfExists(slot.temp);
                } catch (IOException e) {
                    // Leftover temporary files are harmless: they are never visible as objects.
                }
            }
        }

        /** Whether commit was called (close after commit only removes what did not make it). */
        public boolean committed() {
            return committed;
        }
    }

    private static final class Slot {
        final Device device;
        final Path temp;
        final FileChannel channel;
        boolean failed;

        Slot(Device device, Path temp, FileChannel channel) {
            this.device = device;
            this.temp = temp;
            this.channel = channel;
        }
    }

    /** Writes a tombstone on every replica; the number of replicas that stored it. */
    public int delete(Ring.Location location, Timestamp time) {
        byte[] path = location.path() == null ? new byte[0] : location.path().getBytes(StandardCharsets.UTF_8);
        return writeEverywhere(location, time + TOMBSTONE, path, time);
    }

    /** Writes a POST's metadata on every replica; the number of replicas that stored it. */
    public int post(Ring.Location location, Timestamp time, String contentType, Map<String, String> metadata) {
        byte[] json = Json.bytes(new ObjectMeta(time.toString(), 0, "", contentType, metadata, location.path()));
        return writeEverywhere(location, time + META, json, null);
    }

    private int writeEverywhere(Ring.Location location, String name, byte[] content, Timestamp cleanupBefore) {
        List<Callable<Boolean>> tasks = new ArrayList<>();
        for (Device device : location.devices()) {
            tasks.add(() -> {
                Path dir = Files.createDirectories(hashDir(device, location));
                writeAtomically(device, dir, name, content);
                fsyncDirectory(dir);
                if (cleanupBefore != null) {
                    cleanup(dir, cleanupBefore);
                }
                return true;
            });
        }
        return parallel(tasks);
    }

    // ---- reads

    /** The newest state of each replica that could be read, newest first (empty: on no device). */
    public List<State> states(Ring.Location location) {
        List<State> states = new ArrayList<>();
        for (Device device : location.devices()) {
            try {
                read(device, location).ifPresent(states::add);
            } catch (IOException | UncheckedIOException e) {
                // An unreadable replica counts as missing; another one answers.
            }
        }
        states.sort(Comparator.comparing(State::time).reversed());
        return states;
    }

    /** The object's current metadata, if its newest state is present. */
    public Optional<State.Present> newest(Ring.Location location) {
        List<State> states = states(location);
        if (states.isEmpty() || !(states.getFirst() instanceof State.Present present)) {
            return Optional.empty();
        }
        return Optional.of(present);
    }

    /**
     * Opens the data of the newest state, falling back to another replica of the same version when
     * one is missing or cannot be opened. Empty when the object does not exist.
     */
    public Optional<Opened> open(Ring.Location location) {
        List<State> states = states(location);
        if (states.isEmpty() || !(states.getFirst() instanceof State.Present newest)) {
            return Optional.empty();
        }
        for (State state : states) {
            if (state instanceof State.Present p && p.meta().timestamp().equals(newest.meta().timestamp())) {
                try {
                    return Optional.of(new Opened(p.meta(), FileChannel.open(p.data(), StandardOpenOption.READ)));
                } catch (IOException e) {
                    // try the next replica
                }
            }
        }
        return Optional.empty();
    }

    /** An object's metadata and its open data; the caller closes it. */
    public record Opened(ObjectMeta meta, FileChannel channel) implements AutoCloseable {
        /** A stream of length bytes from offset, reading the channel without moving a shared position. */
        public InputStream stream(long offset, long length) {
            return Channels.newInputStream(new BoundedChannel(channel, offset, length));
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A read-only window over a file, so several ranges can be read from one open file. */
    private static final class BoundedChannel implements java.nio.channels.ReadableByteChannel {
        private final FileChannel file;
        private long position;
        private long remaining;

        BoundedChannel(FileChannel file, long offset, long length) {
            this.file = file;
            this.position = offset;
            this.remaining = length;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int limit = dst.limit();
            if (dst.remaining() > remaining) {
                dst.limit(dst.position() + (int) remaining);
            }
            int n = file.read(dst, position);
            dst.limit(limit);
            if (n > 0) {
                position += n;
                remaining -= n;
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return file.isOpen();
        }

        @Override
        public void close() {
            // The Opened record owns the file.
        }
    }

    /** One device's view: newest .data or .ts, with a newer .meta laid over a .data. */
    private static Optional<State> read(Device device, Ring.Location location) throws IOException {
        Path dir = hashDir(device, location);
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.map(p -> p.getFileName().toString()).sorted(Comparator.reverseOrder()).toList();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String newerMeta = null;
        for (String name : names) {
            if (name.endsWith(META) && newerMeta == null) {
                newerMeta = name;
            } else if (name.endsWith(TOMBSTONE)) {
                return Optional.of(new State.Deleted(device, Timestamp.parse(name.substring(0, name.length() - TOMBSTONE.length())),
                        dir.resolve(name)));
            } else if (name.endsWith(DATA)) {
                String timestamp = name.substring(0, name.length() - DATA.length());
                ObjectMeta meta = Json.MAPPER.readValue(dir.resolve(timestamp + DATA_META).toFile(), ObjectMeta.class);
                if (newerMeta != null) {
                    ObjectMeta post = Json.MAPPER.readValue(dir.resolve(newerMeta).toFile(), ObjectMeta.class);
                    meta = meta.withPost(post.contentType(), post.metadata());
                }
                return Optional.of(new State.Present(device, dir.resolve(name), meta));
            }
        }
        return Optional.empty();
    }

    // ---- files

    /** {@code <device>/objects/<partition>}: its suffix directories hold the partition's hash directories (for the replicator). */
    public static Path partitionDir(Device device, int partition) {
        return device.root().resolve("objects").resolve(Integer.toString(partition));
    }

    /** {@code <device>/tmp}: where writes stage their files before the rename. */
    public static Path tmpDir(Device device) {
        return device.root().resolve("tmp");
    }

    static Path hashDir(Device device, Ring.Location location) {
        return device.root().resolve("objects").resolve(Integer.toString(location.partition()))
                .resolve(location.suffix()).resolve(location.hash());
    }

    /** temp file under the device's tmp, fsync, rename into dir. */
    private static void writeAtomically(Device device, Path dir, String name, byte[] content) throws IOException {
        Path temp = tempPath(device, name);
        boolean moved = false;
        try {
            try (FileChannel channel = createTemp(device, temp)) {
                ByteBuffer bytes = ByteBuffer.wrap(content);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** A new name in the device's tmp directory: the prefix and a random part. */
    private static Path tempPath(Device device, String prefix) {
        return tmpDir(device).resolve(prefix + "." + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp");
    }

    /**
     * Creates the temporary file for writing (it must not exist), making the tmp directory on the
     * first write to the device: one open, where a lookup of the directory on every write and a
     * create-then-reopen cost several system calls per replica of every PUT.
     */
    private static FileChannel createTemp(Device device, Path temp) throws IOException {
        try {
            return FileChannel.open(temp, CREATE_FOR_WRITING, OWNER_ONLY);
        } catch (java.nio.file.NoSuchFileException e) {
            Files.createDirectories(tmpDir(device));
            return FileChannel.open(temp, CREATE_FOR_WRITING, OWNER_ONLY);
        }
    }

    private static final java.util.Set<StandardOpenOption> CREATE_FOR_WRITING =
            java.util.EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    /** Objects are readable by the service's user only, as temporary files are made by default. */
    private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY = java.nio.file.attribute.PosixFilePermissions
            .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Removes the files an object's newer state made obsolete (a newer .meta keeps its .data). */
    private static void cleanup(Path dir, Timestamp current) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                int dot = name.indexOf('.', 11);
                if (dot > 0 && Timestamp.parse(name.substring(0, dot)).compareTo(current) < 0) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Obsolete files are ignored by readers; the next write removes them.
        }
    }

    private static int parallel(List<Callable<Boolean>> tasks) {
        int ok = 0;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Boolean> result : executor.invokeAll(tasks)) {
                try {
                    if (result.get()) {
                        ok++;
                    }
                } catch (ExecutionException e) {
                    // a failed replica; the caller checks the quorum
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ok;
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
