package org.nubes.objectstore.replication;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.nubes.objectstore.ObjectStoreConfig;
import org.nubes.objectstore.ring.Ring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object store's background work on its devices: replication every
 * {@code objectstore.replication_interval} seconds (with the removal of temporary files older than
 * {@code objectstore.tmp_max_age}), the audit every {@code objectstore.audit_interval} seconds and
 * the expiry of objects past their X-Delete-At every {@code objectstore.expirer_interval} seconds,
 * on one virtual thread. At start, the temporary files a previous process left
 * are removed (start is called before the port opens). Every pass can also be run on demand.
 */
public final class Maintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
    /** How long a stop waits for the background work to end. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final ObjectStoreConfig config;
    private final Replicator replicator;
    private final Auditor auditor;
    private final TempFiles tempFiles;
    private final ListingRepair listingRepair;
    private final Expirer expirer;
    private ScheduledExecutorService scheduler;
    private Thread listingRepairThread;

    /** Without listings to repair or objects to expire (tests of the disk passes). */
    public Maintenance(ObjectStoreConfig config, Ring ring) {
        this(config, ring, null, null);
    }

    public Maintenance(ObjectStoreConfig config, Ring ring, ListingRepair listingRepair, Expirer expirer) {
        this.config = config;
        this.listingRepair = listingRepair;
        this.expirer = expirer;
        this.replicator = new Replicator(ring, Duration.ofSeconds(config.reclaimAge()));
        this.auditor = new Auditor(ring);
        this.tempFiles = new TempFiles(ring);
    }

    public Replicator replicator() {
        return replicator;
    }

    public Auditor auditor() {
        return auditor;
    }

    public TempFiles tempFiles() {
        return tempFiles;
    }

    /** One replication pass, then the removal of stale temporary files. */
    public Replicator.Result replicate() {
        Replicator.Result result = replicator.runOnce();
        tempFiles.removeOlderThan(Instant.now().minusSeconds(config.tmpMaxAge()));
        return result;
    }

    /** One pass bringing the listings in line with the disks. */
    public ListingRepair.Result repairListings() {
        return listingRepair.runOnce();
    }

    /** One pass deleting the objects past their X-Delete-At. */
    public Expirer.Result expire() {
        return expirer.runOnce();
    }

    /** One audit pass. */
    public Auditor.Result audit() {
        return auditor.runOnce();
    }

    /**
     * Removes what a previous process left in tmp; when that process did not stop cleanly (it may
     * have died between storing an object and listing it), repairs the listings in the background;
     * and schedules the periodic passes.
     */
    public synchronized void start() {
        if (!cleanShutdownRecorded() && listingRepair != null) {
            listingRepairThread = Thread.ofVirtual().name("objectstore-listing-repair").start(() -> run("listing repair", () -> {
                ListingRepair.Result result = repairListings();
                LOG.info("the last process did not stop cleanly: checked the listings of {} objects against the disks ({} failures)",
                        result.objects(), result.failures());
            }));
        }
        // Before the port opens no write of this process has begun: every temporary file there is
        // is a previous process's (a storage node's devices belong to one process).
        int removed = tempFiles.removeOlderThan(Instant.now());
        if (removed > 0) {
            LOG.info("removed {} temporary files of unfinished writes of a previous process", removed);
        }
        boolean expiring = expirer != null && config.expirerInterval() > 0;
        if (scheduler != null || (config.replicationInterval() == 0 && config.auditInterval() == 0 && !expiring)) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("objectstore-maintenance").factory());
        if (config.replicationInterval() > 0) {
            scheduler.scheduleWithFixedDelay(() -> run("replication", this::replicate),
                    config.replicationInterval(), config.replicationInterval(), TimeUnit.SECONDS);
        }
        if (config.auditInterval() > 0) {
            scheduler.scheduleWithFixedDelay(() -> run("audit", this::audit),
                    config.auditInterval(), config.auditInterval(), TimeUnit.SECONDS);
        }
        if (expiring) {
            scheduler.scheduleWithFixedDelay(() -> run("expiry", this::expire),
                    config.expirerInterval(), config.expirerInterval(), TimeUnit.SECONDS);
        }
    }

    private static void run(String what, Runnable pass) {
        try {
            pass.run();
        } catch (RuntimeException e) {
            LOG.warn("{} pass failed", what, e);  // the next pass runs anyway
        }
    }

    /** Whether the previous process recorded a clean stop; the record is used up (a crash leaves none). */
    private boolean cleanShutdownRecorded() {
        try {
            return Files.deleteIfExists(cleanShutdownMarker());
        } catch (IOException e) {
            return false;
        }
    }

    private Path cleanShutdownMarker() {
        return config.devicesDir().resolve(".clean-shutdown");
    }

    /**
     * Stops the periodic passes (a pass under way is interrupted at its next blocking call) and waits
     * for a listing repair still running, then records the clean stop: every request has finished
     * by now, listing included. What did not stop in time may still change the listings, so then
     * no clean stop is recorded and the next start repairs them.
     */
    public synchronized void stop() {
        if (!stopPasses()) {
            return;
        }
        try {
            Files.createDirectories(config.devicesDir());
            Files.writeString(cleanShutdownMarker(), Instant.now().toString());
        } catch (IOException e) {
            LOG.warn("cannot record the clean stop; the next start repairs the listings: {}", e.toString());
        }
    }

    /** Whether the periodic passes and the listing repair have stopped. */
    private boolean stopPasses() {
        try {
            if (scheduler != null) {
                scheduler.shutdownNow();
                if (!scheduler.awaitTermination(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    LOG.warn("a periodic pass did not stop within {}; the clean stop is not recorded", STOP_WAIT);
                    return false;
                }
                scheduler = null;
            }
            // The repair has no point at which to stop early: it is waited for, not interrupted.
            if (listingRepairThread != null) {
                if (!listingRepairThread.join(STOP_WAIT)) {
                    LOG.warn("the listing repair did not finish within {}; the clean stop is not recorded", STOP_WAIT);
                    return false;
                }
                listingRepairThread = null;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while stopping; the clean stop is not recorded");
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
