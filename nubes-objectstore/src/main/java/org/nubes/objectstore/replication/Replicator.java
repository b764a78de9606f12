package org.nubes.objectstore.replication;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.nubes.core.json.Json;
import org.nubes.objectstore.disk.ObjectMeta;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.disk.Timestamp;
import org.nubes.objectstore.replication.DiskFiles.Name;
import org.nubes.objectstore.ring.Device;
import org.nubes.objectstore.ring.Ring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swift's object replicator for the devices of one ring: for every partition, the object hashes on
 * its devices are compared, and the newest version of each (its {@code .data} with the
 * {@code .json} metadata, or its {@code .ts} tombstone, and a newer {@code .meta}) is copied to the
 * devices that miss it or hold an older one. Copies are staged under the target device's tmp,
 * fsynced and renamed, the metadata before the data (the data file's rename is the commit point, as
 * for a PUT), and a data file is only copied when its bytes match its metadata's size and MD5 (a
 * corrupt replica is never spread). Files older than the newest version are then removed, and a
 * tombstone older than the reclaim age is removed everywhere.
 *
 * <p>A device that cannot be read is skipped for the pass; the next pass tries again.
 */
public final class Replicator {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

    private final Ring ring;
    private final Duration reclaimAge;

    public Replicator(Ring ring, Duration reclaimAge) {
        this.ring = ring;
        this.reclaimAge = reclaimAge;
    }

    /** What one pass did. */
    public record Result(int partitions, int objects, int copied, int removed, int reclaimed, int failures) {}

    private static final class Counts {
        int partitions;
        int objects;
        int copied;
        int removed;
        int reclaimed;
        int failures;
    }

    /** One pass over every partition; synchronized so that a pass on demand never overlaps the periodic one. */
    public synchronized Result runOnce() {
        Counts counts = new Counts();
        Instant reclaimBefore = Instant.now().minus(reclaimAge);
        for (int partition = 0; partition < ring.partitions(); partition++) {
            try {
                replicate(partition, reclaimBefore, counts);
            } catch (RuntimeException e) {
                counts.failures++;
                LOG.warn("replication of partition {} failed: {}", partition, e.toString());
            }
        }
        return new Result(counts.partitions, counts.objects, counts.copied, counts.removed, counts.reclaimed, counts.failures);
    }

    /** Replicates one partition. */
    public synchronized Result replicatePartition(int partition) {
        Counts counts = new Counts();
        replicate(partition, Instant.now().minus(reclaimAge), counts);
        return new Result(counts.partitions, counts.objects, counts.copied, counts.removed, counts.reclaimed, counts.failures);
    }

    private void replicate(int partition, Instant reclaimBefore, Counts counts) {
        List<Device> devices = ring.devicesOf(partition);
        // device -> hash -> suffix, for the devices that could be read
        Map<Device, Map<String, String>> hashes = new LinkedHashMap<>();
        TreeSet<String> all = new TreeSet<>();
        Map<String, String> suffixOf = new LinkedHashMap<>();
        for (Device device : devices) {
            try {
                Map<String, String> found = new LinkedHashMap<>();
                for (Path suffix : DiskFiles.subdirectories(Replicas.partitionDir(device, partition))) {
                    for (Path hash : DiskFiles.subdirectories(suffix)) {
                        found.put(hash.getFileName().toString(), suffix.getFileName().toString());
                    }
                }
                hashes.put(device, found);
                all.addAll(found.keySet());
                suffixOf.putAll(found);
            } catch (IOException | RuntimeException e) {
                counts.failures++;  // unreadable device: left out of this pass
            }
        }
        if (all.isEmpty()) {
            return;
        }
        counts.partitions++;
        for (String hash : all) {
            counts.objects++;
            try {
                replicateObject(partition, suffixOf.get(hash), hash, hashes.keySet(), reclaimBefore, counts);
            } catch (IOException | RuntimeException e) {
                counts.failures++;
                LOG.warn("replication of object {} in partition {} failed: {}", hash, partition, e.toString());
            }
        }
        for (Device device : hashes.keySet()) {
            try {
                for (Path suffix : DiskFiles.subdirectories(Replicas.partitionDir(device, partition))) {
                    DiskFiles.removeIfEmpty(suffix);
                }
            } catch (IOException | RuntimeException e) {
                // the next pass
            }
            DiskFiles.removeIfEmpty(Replicas.partitionDir(device, partition));
        }
    }

    private void replicateObject(int partition, String suffix, String hash, Iterable<Device> devices, Instant reclaimBefore,
            Counts counts) throws IOException {
        Map<Device, Path> dirs = new LinkedHashMap<>();
        Map<Device, List<Name>> files = new LinkedHashMap<>();
        for (Device device : devices) {
            Path dir = Replicas.partitionDir(device, partition).resolve(suffix).resolve(hash);
            List<Name> names = new ArrayList<>();
            try {
                for (String file : DiskFiles.names(dir)) {
                    Name name = Name.parse(file);
                    if (name != null) {
                        names.add(name);
                    }
                }
            } catch (IOException | RuntimeException e) {
                counts.failures++;
                continue;
            }
            dirs.put(device, dir);
            files.put(device, names);
        }

        // The newest version: the newest tombstone or data file (with its metadata) on any device.
        Timestamp newest = null;
        boolean deleted = false;
        for (var entry : files.entrySet()) {
            for (Name name : entry.getValue()) {
                boolean tombstone = name.kind().equals(DiskFiles.TOMBSTONE);
                boolean data = name.kind().equals(DiskFiles.DATA) && has(entry.getValue(), name.time(), DiskFiles.DATA_META);
                if ((tombstone || data) && (newest == null || name.time().compareTo(newest) > 0
                        || (tombstone && name.time().equals(newest)))) {
                    newest = name.time();
                    deleted = tombstone;
                }
            }
        }
        if (newest == null) {
            return;  // nothing complete yet (a write in progress): the next pass
        }
        // The newest POST over that data.
        Timestamp newestMeta = null;
        if (!deleted) {
            for (List<Name> names : files.values()) {
                for (Name name : names) {
                    if (name.kind().equals(DiskFiles.META) && name.time().compareTo(newest) > 0
                            && (newestMeta == null || name.time().compareTo(newestMeta) > 0)) {
                        newestMeta = name.time();
                    }
                }
            }
        }

        if (deleted && newest.instant().isBefore(reclaimBefore)) {
            for (var entry : files.entrySet()) {
                for (Name name : entry.getValue()) {
                    if (name.time().compareTo(newest) <= 0) {
                        counts.reclaimed += delete(dirs.get(entry.getKey()).resolve(name.file())) ? 1 : 0;
                    }
                }
                DiskFiles.removeIfEmpty(dirs.get(entry.getKey()));
            }
            return;
        }

        String kind = deleted ? DiskFiles.TOMBSTONE : DiskFiles.DATA;
        List<Device> sources = new ArrayList<>();
        for (var entry : files.entrySet()) {
            if (has(entry.getValue(), newest, kind) && (deleted || has(entry.getValue(), newest, DiskFiles.DATA_META))) {
                sources.add(entry.getKey());
            }
        }
        List<Device> metaSources = new ArrayList<>();
        if (newestMeta != null) {
            for (var entry : files.entrySet()) {
                if (has(entry.getValue(), newestMeta, DiskFiles.META)) {
                    metaSources.add(entry.getKey());
                }
            }
        }

        for (var entry : files.entrySet()) {
            Device device = entry.getKey();
            Path dir = dirs.get(device);
            List<Name> names = entry.getValue();
            boolean current = true;
            if (!has(names, newest, kind) || (!deleted && !has(names, newest, DiskFiles.DATA_META))) {
                current = copyVersion(device, dir, newest, deleted, sources, dirs, counts);
            }
            if (current && newestMeta != null && !has(names, newestMeta, DiskFiles.META)) {
                copyFirst(device, dir, newestMeta + "." + DiskFiles.META, null, metaSources, dirs, counts);
            }
            if (!current) {
                continue;  // keep what it has until it holds the newest version
            }
            for (Name name : names) {
                int age = name.time().compareTo(newest);
                boolean obsolete = age < 0
                        || (name.kind().equals(DiskFiles.META) && (age <= 0 || (newestMeta != null && name.time().compareTo(newestMeta) < 0)))
                        || (deleted && age == 0 && !name.kind().equals(DiskFiles.TOMBSTONE));
                if (obsolete && delete(dir.resolve(name.file()))) {
                    counts.removed++;
                }
            }
        }
    }

    /** Copies the newest version onto a device; whether it now holds it. */
    private boolean copyVersion(Device device, Path dir, Timestamp newest, boolean deleted, List<Device> sources,
            Map<Device, Path> dirs, Counts counts) {
        if (deleted) {
            return copyFirst(device, dir, newest + "." + DiskFiles.TOMBSTONE, null, sources, dirs, counts);
        }
        for (Device source : sources) {
            if (source.equals(device)) {
                continue;
            }
            Path from = dirs.get(source);
            try {
                ObjectMeta meta = Json.MAPPER.readValue(from.resolve(newest + "." + DiskFiles.DATA_META).toFile(), ObjectMeta.class);
                // The data staged and checked first, then the metadata: readers ignore a lone .json,
                // and the .data rename commits the copy.
                String data = newest + "." + DiskFiles.DATA;
                Path staged = DiskFiles.stage(device, from.resolve(data), data, meta);
                try {
                    DiskFiles.copy(device, from.resolve(newest + "." + DiskFiles.DATA_META), dir, newest + "." + DiskFiles.DATA_META, null);
                    DiskFiles.commit(staged, dir, data);
                } finally {
                    Files.deleteIfExists(staged);
                }
                counts.copied++;
                return true;
            } catch (IOException | RuntimeException e) {
                LOG.info("cannot copy {} from {} to device {}: {}", dir.getFileName(), source.root(), device.root(), e.toString());
            }
        }
        counts.failures++;
        return false;
    }

    private boolean copyFirst(Device device, Path dir, String file, ObjectMeta expected, List<Device> sources,
            Map<Device, Path> dirs, Counts counts) {
        for (Device source : sources) {
            if (source.equals(device)) {
                continue;
            }
            try {
                DiskFiles.copy(device, dirs.get(source).resolve(file), dir, file, expected);
                counts.copied++;
                return true;
            } catch (IOException | RuntimeException e) {
                LOG.info("cannot copy {} from {} to device {}: {}", file, source.root(), device.root(), e.toString());
            }
        }
        counts.failures++;
        return false;
    }

    private static boolean has(List<Name> names, Timestamp time, String kind) {
        for (Name name : names) {
            if (name.time().equals(time) && name.kind().equals(kind)) {
                return true;
            }
        }
        return false;
    }

    private static boolean delete(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            return false;
        }
    }
}
