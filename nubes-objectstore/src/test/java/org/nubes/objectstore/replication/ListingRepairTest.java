package org.nubes.objectstore.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nubes.core.db.Database;
import org.nubes.core.testing.TestDatabases;
import org.nubes.objectstore.ObjectStoreConfig;
import org.nubes.objectstore.disk.ObjectMeta;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.disk.Timestamp;
import org.nubes.objectstore.ring.Device;
import org.nubes.objectstore.ring.HashPath;
import org.nubes.objectstore.ring.Ring;
import org.nubes.objectstore.store.ContainerRow;
import org.nubes.objectstore.store.ListingQuery;
import org.nubes.objectstore.store.ListingStore;
import org.nubes.objectstore.store.ObjectRow;

/**
 * A crash between committing an object's replicas and updating its listing, played by writing the
 * replicas without the listing: the repair pass, and a start after an unclean stop, list it.
 */
class ListingRepairTest {
    private static final String ACCOUNT = "AUTH_p";
    private static final String CONTAINER = "c";

    @TempDir
    Path dir;

    private Ring ring() {
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            devices.add(new Device(i, i + 1, 100, dir.resolve("d" + i)));
        }
        return new Ring(devices, 3, 4, new HashPath("p", "s"));
    }

    private static ListingStore listings(Database database) {
        database.migrate("objectstore");
        ListingStore listings = new ListingStore(database.jdbi());
        listings.createContainer(ACCOUNT, CONTAINER, Map.of(), null, null, Timestamp.now().toString());
        return listings;
    }

    /** Stores an object's replicas only, as a process that died before its listing update. */
    private static ObjectMeta storeWithoutListing(Replicas replicas, String name, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        try (Replicas.Upload upload = replicas.upload(replicas.ring().locate(ACCOUNT, CONTAINER, name))) {
            upload.write(data, 0, data.length);
            ObjectMeta meta = new ObjectMeta(Timestamp.now().toString(), data.length, upload.etag(), "text/plain", Map.of());
            assertThat(upload.commit(meta)).isEqualTo(3);
            return meta;
        }
    }

    private static List<String> listed(ListingStore listings) {
        return listings.objects(ACCOUNT, CONTAINER, new ListingQuery(null, null, null, 100, false)).stream()
                .map(ObjectRow::name).toList();
    }

    @Test
    void objectsStoredOrDeletedWithoutTheirListingUpdateAreBroughtInLine() {
        Ring ring = ring();
        Replicas replicas = new Replicas(ring);
        try (Database database = Database.open(TestDatabases.h2())) {
            ListingStore listings = listings(database);
            ObjectMeta stored = storeWithoutListing(replicas, "dir/unlisted", "twelve bytes");
            // Listed, then deleted on the disks only.
            ObjectMeta gone = storeWithoutListing(replicas, "gone", "x");
            listings.putObject(ACCOUNT, CONTAINER, new ObjectRow("gone", 1, gone.etag(), "text/plain", gone.timestamp()));
            assertThat(replicas.delete(ring.locate(ACCOUNT, CONTAINER, "gone"), Timestamp.now())).isEqualTo(3);
            assertThat(listed(listings)).containsExactly("gone");

            ListingRepair.Result result = new ListingRepair(ring, replicas, listings).runOnce();

            assertThat(result.objects()).isEqualTo(2);
            assertThat(result.failures()).isZero();
            assertThat(listed(listings)).containsExactly("dir/unlisted");
            ObjectRow row = listings.objects(ACCOUNT, CONTAINER, new ListingQuery(null, null, null, 10, false)).getFirst();
            assertThat(row).isEqualTo(new ObjectRow("dir/unlisted", 12, stored.etag(), "text/plain", stored.timestamp()));
            ContainerRow container = listings.container(ACCOUNT, CONTAINER).orElseThrow();
            assertThat(container.objectCount()).isEqualTo(1);
            assertThat(container.bytesUsed()).isEqualTo(12);

            // In line already: a second pass changes nothing.
            new ListingRepair(ring, replicas, listings).runOnce();
            assertThat(listings.container(ACCOUNT, CONTAINER).orElseThrow().objectCount()).isEqualTo(1);
        }
    }

    @Test
    @Timeout(60)
    void aStartAfterAnUncleanStopRepairsTheListingsAndACleanStopIsRemembered() throws Exception {
        Ring ring = ring();
        Replicas replicas = new Replicas(ring);
        ObjectStoreConfig config = new ObjectStoreConfig(0, dir, 3, 4, 3, 1 << 20, 100, 0, 0, 0, 604800, 3600);
        try (Database database = Database.open(TestDatabases.h2())) {
            ListingStore listings = listings(database);
            ListingRepair repair = new ListingRepair(ring, replicas, listings);
            try (Maintenance first = new Maintenance(config, ring, repair, null)) {
                first.start(); // a first start: nothing recorded a clean stop, nothing to repair yet
            }
            assertThat(dir.resolve(".clean-shutdown")).exists();

            storeWithoutListing(replicas, "after-clean-stop", "a");
            try (Maintenance afterCleanStop = new Maintenance(config, ring, repair, null)) {
                afterCleanStop.start();
            }
            // A stop waits for the background repair: had this start begun one, the object would be listed by now.
            assertThat(listed(listings)).as("a clean stop leaves nothing to repair").isEmpty();
            // A process that dies never records its stop.
            Files.delete(dir.resolve(".clean-shutdown"));

            try (Maintenance afterCrash = new Maintenance(config, ring, repair, null)) {
                afterCrash.start();
            }
            assertThat(listed(listings)).containsExactly("after-clean-stop");
            assertThat(dir.resolve(".clean-shutdown")).as("recorded once the repair is done").exists();
        }
    }
}
