package org.nubes.identity.token;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keystone's Fernet key repository: files named 0, 1, 2, ... each holding one key. 0 is the staged
 * key (the next primary, already shipped to every node so that tokens it will sign validate
 * everywhere), the highest number is the primary key that signs new tokens, the rest are
 * secondary keys kept only to validate tokens issued before the last rotations.
 * The layout is Keystone's, so keystone-manage's key directories and rsync-based syncs work as is.
 */
public final class FernetKeyRepository {
    private static final String STAGED = "0";
    private static final String TMP = "0.tmp";

    private final Path dir;
    private final int maxActiveKeys;
    private final long checkIntervalNanos;
    private final AtomicLong nextCheck = new AtomicLong(System.nanoTime());
    private volatile Loaded loaded;

    /** What is on disk (for cheap change detection) and the keys read from it, in try order. */
    private record Loaded(List<Stamp> stamps, List<FernetKey> keys) {}

    /** A key file as seen by stat: a rewrite, rename or sync changes one of these. */
    private record Stamp(int number, long size, FileTime modified, Object fileKey) {}

    public FernetKeyRepository(Path dir, int maxActiveKeys) {
        this(dir, maxActiveKeys, TimeUnit.SECONDS.toNanos(1));
    }

    FernetKeyRepository(Path dir, int maxActiveKeys, long checkIntervalNanos) {
        // Fewer than 2 would leave only the staged key after a rotation: nothing could sign.
        if (maxActiveKeys < 2) {
            throw new IllegalArgumentException("maxActiveKeys must be at least 2, got " + maxActiveKeys);
        }
        this.dir = Objects.requireNonNull(dir, "dir");
        this.maxActiveKeys = maxActiveKeys;
        this.checkIntervalNanos = checkIntervalNanos;
    }

    /** Creates the directory with a primary (1) and a staged (0) key, unless it already has keys. */
    public synchronized void initialize() {
        try {
            if (Files.isDirectory(dir) && !scan().isEmpty()) {
                return;
            }
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.toAbsolutePath().getParent());
                Files.createDirectory(dir, ownerOnly("rwx------"));
            }
            // Like keystone-manage fernet_setup: stage a key, then rotate it into place.
            writeNewStagedKey();
            rotate();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot initialize Fernet key repository " + dir, e);
        }
    }

    /**
     * Promotes the staged key to primary, stages a new key, and deletes the oldest secondary keys
     * beyond maxActiveKeys. Same steps and order as keystone-manage fernet_rotate, so a crash at any
     * point leaves a usable repository.
     */
    public synchronized void rotate() {
        try {
            List<Stamp> stamps = scan();
            if (stamps.isEmpty() || stamps.getFirst().number() != 0) {
                throw new IllegalStateException("no staged key 0 in " + dir + "; initialize() first");
            }
            int newPrimary = stamps.getLast().number() + 1;
            Path tmp = writeKeyFile(TMP);
            Files.move(dir.resolve(STAGED), dir.resolve(Integer.toString(newPrimary)), StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmp, dir.resolve(STAGED), StandardCopyOption.ATOMIC_MOVE);

            // The staged key counts toward maxActiveKeys, so keep maxActiveKeys - 1 of the others.
            List<Integer> others = new ArrayList<>(stamps.stream().map(Stamp::number).filter(n -> n != 0).toList());
            others.add(newPrimary);
            for (int i = 0; i < others.size() - (maxActiveKeys - 1); i++) {
                Files.delete(dir.resolve(Integer.toString(others.get(i))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rotate Fernet keys in " + dir, e);
        } finally {
            nextCheck.set(System.nanoTime()); // our own change: reload on the next keys()
        }
    }

    /**
     * The keys to try, primary first (it signs new tokens), then staged (another node may have
     * rotated already), then secondaries newest first. Called for every token, so the directory is
     * looked at no more than once per check interval and re-read only when it changed.
     */
    public List<FernetKey> keys() {
        Loaded current = loaded;
        long now = System.nanoTime();
        long next = nextCheck.get();
        if (current == null || (now - next >= 0 && nextCheck.compareAndSet(next, now + checkIntervalNanos))) {
            current = refresh(current);
        }
        return current.keys();
    }

    private Loaded refresh(Loaded current) {
        try {
            List<Stamp> stamps = scan();
            if (current != null && current.stamps().equals(stamps)) {
                return current;
            }
            Loaded fresh = new Loaded(stamps, read(stamps));
            if (current == null) {
                nextCheck.set(System.nanoTime() + checkIntervalNanos);
            }
            loaded = fresh;
            return fresh;
        } catch (IOException | IllegalArgumentException e) {
            if (current != null) {
                // Mid-sync or briefly unreadable: keep validating with what we had, retry next interval.
                return current;
            }
            throw new UncheckedIOException(
                    "cannot load Fernet keys from " + dir, e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** Key files sorted by number; like Keystone, ignores non-numeric names and empty files. */
    private List<Stamp> scan() throws IOException {
        List<Stamp> stamps = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path path : entries) {
                int number = keyNumber(path.getFileName().toString());
                if (number < 0) {
                    continue;
                }
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                if (attributes.isRegularFile() && attributes.size() > 0) {
                    stamps.add(new Stamp(number, attributes.size(), attributes.lastModifiedTime(), attributes.fileKey()));
                }
            }
        }
        stamps.sort(Comparator.comparingInt(Stamp::number));
        return stamps;
    }

    private List<FernetKey> read(List<Stamp> stamps) throws IOException {
        List<FernetKey> keys = new ArrayList<>();
        for (Stamp stamp : stamps.reversed()) { // newest first
            keys.add(FernetKey.parse(Files.readString(dir.resolve(Integer.toString(stamp.number())))));
        }
        if (keys.size() > 1 && stamps.getFirst().number() == 0) {
            keys.add(1, keys.removeLast()); // staged right after primary
        }
        return List.copyOf(keys);
    }

    private static int keyNumber(String name) {
        if (name.isEmpty() || name.length() > 9 || !name.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Integer.parseInt(name);
    }

    private void writeNewStagedKey() throws IOException {
        Files.move(writeKeyFile(TMP), dir.resolve(STAGED), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes a fresh key, owner-only and synced, so the rename that publishes it is all or nothing. */
    private Path writeKeyFile(String name) throws IOException {
        Path path = dir.resolve(name);
        Files.deleteIfExists(path); // left over from an interrupted rotation
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (FileChannel channel = FileChannel.open(path, options, ownerOnly("rw-------"))) {
            channel.write(ByteBuffer.wrap(FernetKey.generate().encoded().getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
        return path;
    }

    /** The mode to create with, where the file system has POSIX modes. */
    private FileAttribute<?>[] ownerOnly(String permissions) {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))};
    }
}
