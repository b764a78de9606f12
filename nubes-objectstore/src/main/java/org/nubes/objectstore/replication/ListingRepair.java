package org.nubes.objectstore.replication;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.ring.Device;
import org.nubes.objectstore.ring.Ring;
import org.nubes.objectstore.service.Objects;
import org.nubes.objectstore.store.ListingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the listings in line with the disks. A request commits an object's replicas and then
 * updates the listing; a crash between the two leaves an object stored but not listed (or deleted
 * but still listed). This pass reads every object's newest state on the devices and records it in
 * the listing, where the listing's own rule (a change older than the one recorded is ignored) makes
 * it a no-op for what is in line already. Objects stored before replicas kept their path are
 * skipped; so is an object whose container no longer exists.
 */
public final class ListingRepair {
    private static final Logger LOG = LoggerFactory.getLogger(ListingRepair.class);

    private final Ring ring;
    private final Replicas replicas;
    private final ListingStore listings;

    public ListingRepair(Ring ring, Replicas replicas, ListingStore listings) {
        this.ring = ring;
        this.replicas = replicas;
        this.listings = listings;
    }

    /** What one pass saw: objects read, and those it could not read or record. */
    public record Result(int objects, int failures) {}

    public Result runOnce() {
        int objects = 0;
        int failures = 0;
        for (int partition = 0; partition < ring.partitions(); partition++) {
            List<Device> devices = ring.devicesOf(partition);
            TreeSet<String> hashes = new TreeSet<>();
            for (Device device : devices) {
                try {
                    for (Path suffix : DiskFiles.subdirectories(Replicas.partitionDir(device, partition))) {
                        for (Path hash : DiskFiles.subdirectories(suffix)) {
                            hashes.add(hash.getFileName().toString());
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    failures++;
                }
            }
            for (String hash : hashes) {
                objects++;
                try {
                    record(replicas.states(new Ring.Location(hash, partition, devices, null)));
                } catch (IOException | RuntimeException e) {
                    failures++;
                    LOG.warn("cannot bring the listing of object {} in line: {}", hash, e.toString());
                }
            }
        }
        return new Result(objects, failures);
    }

    private void record(List<Replicas.State> states) throws IOException {
        if (states.isEmpty()) {
            return;
        }
        switch (states.getFirst()) {
            case Replicas.State.Present present -> {
                String[] path = split(present.meta().path());
                if (path != null) {
                    listings.putObject(path[0], path[1], Objects.listingRow(path[2], present.meta()));
                }
            }
            case Replicas.State.Deleted deleted -> {
                String[] path = split(deleted.path());
                if (path != null) {
                    listings.deleteObject(path[0], path[1], path[2], deleted.time().toString());
                }
            }
        }
    }

    /** account, container, object of "account/container/object" (only the object may hold a slash). */
    private static String[] split(String path) {
        if (path == null) {
            return null;
        }
        String[] parts = path.split("/", 3);
        return parts.length == 3 ? parts : null;
    }
}
