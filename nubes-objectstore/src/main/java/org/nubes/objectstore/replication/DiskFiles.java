package org.nubes.objectstore.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nubes.objectstore.disk.ObjectMeta;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.disk.Timestamp;
import org.nubes.objectstore.ring.Device;

/**
 * File helpers of the replicator and the auditor over the layout {@link Replicas} writes: names
 * {@code <timestamp>.<kind>}, copies that stage under the target device's tmp, fsync and rename
 * (as the writes do), and streamed MD5s in a fixed-size buffer.
 */
final class DiskFiles {
    static final String DATA = "data";
    static final String DATA_META = "json";
    static final String META = "meta";
    static final String TOMBSTONE = "ts";
    static final int BUFFER = 64 * 1024;
    private static final Pattern MD5_HEX = Pattern.compile("[0-9a-f]{32}");

    private DiskFiles() {}

    /** One object file's name split into its timestamp and kind; null for a name that is not one. */
    record Name(String file, Timestamp time, String kind) {
        static Name parse(String file) {
            int dot = file.lastIndexOf('.');
            if (dot <= 0 || file.indexOf('.') == dot) {
                return null;  // the timestamp has a dot of its own
            }
            try {
                return new Name(file, Timestamp.parse(file.substring(0, dot)), file.substring(dot + 1));
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /** The file names in a directory; empty when it does not exist. */
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /** The sub-directories of a directory; empty when it does not exist or is not one. */
    static List<Path> subdirectories(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isDirectory).sorted().toList();
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        }
    }

    /**
     * Copies source to dir/name on the target device: a temporary file under the device's tmp,
     * fsynced, renamed into place, the directory fsynced. With expected metadata, the bytes copied
     * must have its size and (when the ETag is an MD5) its MD5, or nothing is written.
     */
    static void copy(Device target, Path source, Path dir, String name, ObjectMeta expected) throws IOException {
        Path temp = stage(target, source, name, expected);
        try {
            commit(temp, dir, name);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Copies source to a temporary file under the target device's tmp and fsyncs it; with expected
     * metadata, fails (leaving nothing) unless the bytes have its size and MD5. The caller commits
     * or deletes the file.
     */
    static Path stage(Device target, Path source, String name, ObjectMeta expected) throws IOException {
        Path temp = Files.createTempFile(Files.createDirectories(Replicas.tmpDir(target)), name, ".tmp");
        boolean ok = false;
        try {
            MessageDigest md5 = md5();
            long size = 0;
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                    FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
                while (in.read(buffer) >= 0) {
                    buffer.flip();
                    md5.update(buffer.duplicate());
                    size += buffer.remaining();
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    buffer.clear();
                }
                out.force(true);
            }
            if (expected != null && !matches(expected, size, HexFormat.of().formatHex(md5.digest()))) {
                throw new IOException("replica " + source + " does not match its metadata");
            }
            ok = true;
            return temp;
        } finally {
            if (!ok) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Renames a staged file into dir (created if needed) and fsyncs the directory. */
    static void commit(Path temp, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(dir);
    }

    /** Whether a data file of this size and MD5 is what the metadata describes. */
    static boolean matches(ObjectMeta meta, long size, String md5) {
        if (meta.contentLength() != size) {
            return false;
        }
        String etag = meta.etag() == null ? "" : meta.etag().toLowerCase(java.util.Locale.ROOT);
        return !MD5_HEX.matcher(etag).matches() || etag.equals(md5);
    }

    /** The MD5 (hex) and size of a file, read in a fixed-size buffer. */
    static Checksum checksum(Path file) throws IOException {
        MessageDigest md5 = md5();
        long size = 0;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
            int n;
            while ((n = in.read(buffer)) >= 0) {
                buffer.flip();
                md5.update(buffer);
                size += n;
                buffer.clear();
            }
        }
        return new Checksum(HexFormat.of().formatHex(md5.digest()), size);
    }

    record Checksum(String md5, long size) {}

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Removes a directory if it is empty (a concurrent write may have just filled it: then not). */
    static void removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            // in use
        } catch (IOException e) {
            // the next pass tries again
        }
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
