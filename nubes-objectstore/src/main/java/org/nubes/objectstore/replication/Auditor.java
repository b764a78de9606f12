package org.nubes.objectstore.replication;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.nubes.core.json.Json;
import org.nubes.objectstore.disk.ObjectMeta;
import org.nubes.objectstore.replication.DiskFiles.Name;
import org.nubes.objectstore.ring.Device;
import org.nubes.objectstore.ring.Ring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swift's object auditor: reads every {@code .data} file on the ring's devices, recomputes its MD5
 * and size and compares them with its {@code .json} metadata. An object whose data does not match
 * (or whose metadata is missing or unreadable) has its whole hash directory moved to
 * {@code <device>/quarantined/objects/<hash>}, so that reads use another replica and the next
 * replication pass puts a good copy back. Files are streamed through a fixed-size buffer, one at a
 * time.
 */
public final class Auditor {
    private static final Logger LOG = LoggerFactory.getLogger(Auditor.class);

    private final Ring ring;

    public Auditor(Ring ring) {
        this.ring = ring;
    }

    /** What one pass did: data files checked, hash directories quarantined, bytes read. */
    public record Result(int checked, int quarantined, long bytes) {}

    /** The directory a device's corrupt objects are moved to. */
    public static Path quarantineDir(Device device) {
        return device.root().resolve("quarantined").resolve("objects");
    }

    /** One pass over every object of every device; never overlaps another pass. */
    public synchronized Result runOnce() {
        int checked = 0;
        int quarantined = 0;
        long bytes = 0;
        Set<Device> devices = new LinkedHashSet<>(ring.devices());
        for (Device device : devices) {
            Path objects = device.root().resolve("objects");
            try {
                for (Path partition : DiskFiles.subdirectories(objects)) {
                    for (Path suffix : DiskFiles.subdirectories(partition)) {
                        for (Path hash : DiskFiles.subdirectories(suffix)) {
                            Outcome outcome = audit(device, hash);
                            checked += outcome.checked;
                            bytes += outcome.bytes;
                            quarantined += outcome.quarantined ? 1 : 0;
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("audit of device {} stopped: {}", device.root(), e.toString());
            }
        }
        return new Result(checked, quarantined, bytes);
    }

    private record Outcome(int checked, long bytes, boolean quarantined) {}

    private Outcome audit(Device device, Path dir) throws IOException {
        int checked = 0;
        long bytes = 0;
        List<String> names = DiskFiles.names(dir);
        for (String file : names) {
            Name name = Name.parse(file);
            if (name == null || !name.kind().equals(DiskFiles.DATA) || superseded(names, name)) {
                continue;  // an obsolete data file is removed by the write that superseded it, or by replication
            }
            String problem;
            try {
                DiskFiles.Checksum sum = DiskFiles.checksum(dir.resolve(file));
                checked++;
                bytes += sum.size();
                problem = check(dir, name, sum);
            } catch (NoSuchFileException e) {
                continue;  // replaced by a newer write meanwhile
            }
            if (problem != null && !superseded(DiskFiles.names(dir), name)) {
                quarantine(device, dir, problem);
                return new Outcome(checked, bytes, true);
            }
        }
        return new Outcome(checked, bytes, false);
    }

    /** Whether a newer data file or tombstone is beside it (a write that came meanwhile cleans it up). */
    private static boolean superseded(List<String> names, Name data) {
        for (String file : names) {
            Name other = Name.parse(file);
            if (other != null && other.time().compareTo(data.time()) > 0
                    && (other.kind().equals(DiskFiles.DATA) || other.kind().equals(DiskFiles.TOMBSTONE))) {
                return true;
            }
        }
        return false;
    }

    /** What is wrong with a data file, or null. */
    private static String check(Path dir, Name data, DiskFiles.Checksum sum) throws NoSuchFileException {
        Path metaFile = dir.resolve(data.time() + "." + DiskFiles.DATA_META);
        ObjectMeta meta;
        try {
            meta = Json.MAPPER.readValue(metaFile.toFile(), ObjectMeta.class);
        } catch (IOException | RuntimeException e) {
            if (!Files.exists(dir.resolve(data.file()))) {
                throw new NoSuchFileException(data.file());  // removed together with its metadata by a newer write
            }
            return "unreadable metadata (" + e.getMessage() + ")";
        }
        if (!DiskFiles.matches(meta, sum.size(), sum.md5())) {
            return "size %d md5 %s, metadata says size %d etag %s".formatted(sum.size(), sum.md5(), meta.contentLength(), meta.etag());
        }
        return null;
    }

    private static void quarantine(Device device, Path dir, String problem) throws IOException {
        Path target = Files.createDirectories(quarantineDir(device)).resolve(dir.getFileName().toString());
        try {
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            target = target.resolveSibling(dir.getFileName() + "-" + UUID.randomUUID());
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
        }
        LOG.warn("quarantined {} on device {} to {}: {}", dir.getFileName(), device.root(), target, problem);
    }
}
