package org.nubes.image.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nubes.core.config.DatabaseConfig;
import org.nubes.core.db.Database;
import org.nubes.core.testing.TestDatabases;

/** The image tables on the embedded H2 and on PostgreSQL, each test on a fresh database. */
class ImageStoreTest {
    private static final Instant T0 = Instant.parse("2025-03-30T01:30:00.123456Z");

    private Database database;

    static Stream<Named<DatabaseConfig>> databases() {
        return TestDatabases.named();
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    private ImageStore open(DatabaseConfig config) {
        database = Database.open(config);
        database.migrate("image");
        return new ImageStore(database.jdbi());
    }

    private static Image image(String id, String owner) {
        ImageMeta meta = new ImageMeta("n-" + id, owner, "shared", "raw", "bare", 1, 2, false, false,
                List.of("t1", "t2"), Map.of("os_distro", "cirros"));
        return new Image(id, meta, "queued", null, null, null, T0, T0);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void imagesRoundTripWithPropertiesTagsAndTimes(DatabaseConfig config) {
        ImageStore store = open(config);
        Image image = image("11111111-1111-1111-1111-111111111111", "p1");
        assertThat(store.create(image)).isTrue();
        assertThat(store.create(image)).as("duplicate id").isFalse();
        assertThat(store.get(image.id())).hasValue(image);
        assertThat(store.list()).containsExactly(image);

        ImageMeta changed = new ImageMeta("renamed", "p1", "community", null, null, 0, 0, true, true,
                List.of(), Map.of("a", "b"));
        store.updateMeta(image.id(), changed, T0.plusSeconds(5));
        Image after = store.get(image.id()).orElseThrow();
        assertThat(after.meta()).isEqualTo(changed);
        assertThat(after.status()).isEqualTo("queued");
        assertThat(after.updatedAt()).isEqualTo(T0.plusSeconds(5));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void statusChangesAreConditional(DatabaseConfig config) {
        ImageStore store = open(config);
        String id = "22222222-2222-2222-2222-222222222222";
        store.create(image(id, "p1"));
        assertThat(store.transition(id, "queued", "saving", T0)).isTrue();
        assertThat(store.transition(id, "queued", "saving", T0)).as("the second one loses").isFalse();
        assertThat(store.activate(id, "queued", 10, "m", "s", T0)).isFalse();
        assertThat(store.activate(id, "saving", 10, "m", "s", T0)).isTrue();
        Image active = store.get(id).orElseThrow();
        assertThat(active.status()).isEqualTo("active");
        assertThat(active.size()).isEqualTo(10L);
        assertThat(active.checksum()).isEqualTo("m");
        assertThat(active.hashValue()).isEqualTo("s");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void usageCountsTheOwnersImagesAndBytes(DatabaseConfig config) {
        ImageStore store = open(config);
        store.create(image("33333333-3333-3333-3333-333333333331", "p1"));
        store.create(image("33333333-3333-3333-3333-333333333332", "p1"));
        store.create(image("33333333-3333-3333-3333-333333333333", "p2"));
        store.transition("33333333-3333-3333-3333-333333333331", "queued", "saving", T0);
        store.activate("33333333-3333-3333-3333-333333333331", "saving", 100, "m", "s", T0);
        store.transition("33333333-3333-3333-3333-333333333332", "queued", "uploading", T0);
        store.staged("33333333-3333-3333-3333-333333333332", 50, "m", "s");
        assertThat(store.usage("p1")).isEqualTo(new ImageStore.Usage(2, 150, 50, 1));
        assertThat(store.countOwned("p2")).isEqualTo(1);
        assertThat(store.bytesInUse("p2", "")).isZero();
        assertThat(store.usage("nobody")).isEqualTo(new ImageStore.Usage(0, 0, 0, 0));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void reservationsCountUntilTheDataIsStoredOrTheUploadEnds(DatabaseConfig config) {
        ImageStore store = open(config);
        String a = "66666666-6666-6666-6666-666666666661";
        String b = "66666666-6666-6666-6666-666666666662";
        store.create(image(a, "p1"));
        store.create(image(b, "p1"));
        store.transition(a, "queued", "saving", T0);
        store.transition(b, "queued", "uploading", T0);
        assertThat(store.reserve(a, "p1", 60, 80, 100, T0)).isEqualTo(80);
        assertThat(store.bytesInUse("p1", b)).isEqualTo(80);
        assertThat(store.reserve(b, "p1", 30, 30, 100, T0)).as("only 20 left").isEqualTo(-1);
        assertThat(store.reserve(b, "p1", 10, 50, 100, T0)).as("what is left, at least the minimum").isEqualTo(20);
        // Growing one's own reservation counts only the others'.
        assertThat(store.reserve(a, "p1", 81, 90, 100, T0)).isEqualTo(-1);
        assertThat(store.reserve(a, "p1", 70, 70, 100, T0)).isEqualTo(70);

        // Stored data replaces the reservation in one step; a released reservation counts no more.
        assertThat(store.activate(a, "saving", 65, "m", "s", T0)).isTrue();
        assertThat(store.bytesInUse("p1", "")).isEqualTo(65 + 20);
        store.release(b);
        assertThat(store.bytesInUse("p1", "")).isEqualTo(65);
        assertThat(store.reserve(b, "p1", 35, 35, 100, T0)).isEqualTo(35);
        assertThat(store.staged(b, 30, "m2", "s2")).isTrue();
        assertThat(store.bytesInUse("p1", "")).isEqualTo(95);
        assertThat(store.bytesInUse("p2", "")).isZero();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void concurrentReservationsOfOneOwnerNeverExceedTheQuota(DatabaseConfig config) throws Exception {
        ImageStore store = open(config);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = "77777777-7777-7777-7777-77777777777" + i;
            store.create(image(id, "p1"));
            store.transition(id, "queued", "saving", T0);
            ids.add(id);
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Long>> grants = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(ids.size())) {
            for (String id : ids) {
                grants.add(pool.submit(() -> {
                    start.await();
                    return store.reserve(id, "p1", 100, 100, 300, T0);
                }));
            }
            start.countDown();
            long granted = 0;
            for (var grant : grants) {
                granted += grant.get() > 0 ? 1 : 0;
            }
            assertThat(granted).isEqualTo(3);
        }
        assertThat(store.bytesInUse("p1", "")).isEqualTo(300);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anImportTakesOverTheStagedSizeAndHashes(DatabaseConfig config) {
        ImageStore store = open(config);
        String id = "88888888-8888-8888-8888-888888888888";
        store.create(image(id, "p1"));
        store.transition(id, "queued", "uploading", T0);
        assertThat(store.beginImport(id, T0)).as("staging not finished").isFalse();
        assertThat(store.staged(id, 42, "md5", "sha")).isTrue();
        Image staged = store.get(id).orElseThrow();
        assertThat(staged.size()).isEqualTo(42L);
        assertThat(staged.checksum()).isNull();
        assertThat(store.beginImport(id, T0)).isTrue();
        assertThat(store.beginImport(id, T0)).as("the second one loses").isFalse();
        assertThat(store.failImport(id, T0)).isTrue();
        assertThat(store.get(id).orElseThrow().status()).isEqualTo("queued");
        assertThat(store.get(id).orElseThrow().size()).isNull();
        store.transition(id, "queued", "uploading", T0);
        assertThat(store.staged(id, 42, "md5", "sha")).isTrue();
        assertThat(store.beginImport(id, T0)).isTrue();
        assertThat(store.activateStaged(id, T0)).isTrue();
        Image active = store.get(id).orElseThrow();
        assertThat(active.status()).isEqualTo("active");
        assertThat(active.size()).isEqualTo(42L);
        assertThat(active.checksum()).isEqualTo("md5");
        assertThat(active.hashValue()).isEqualTo("sha");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void membersAreKeptPerImageAndGoWithIt(DatabaseConfig config) {
        ImageStore store = open(config);
        String id = "44444444-4444-4444-4444-444444444444";
        store.create(image(id, "p1"));
        assertThat(store.addMember(new Member(id, "p2", "pending", T0, T0))).isTrue();
        assertThat(store.addMember(new Member(id, "p2", "pending", T0, T0))).isFalse();
        store.addMember(new Member(id, "p3", "pending", T0, T0));
        store.updateMember(id, "p2", "accepted", T0.plusSeconds(1));
        assertThat(store.member(id, "p2").orElseThrow().status()).isEqualTo("accepted");
        assertThat(store.memberships("p2")).containsExactly(Map.entry(id, "accepted"));
        assertThat(store.members(id)).extracting(Member::memberId).containsExactly("p2", "p3");
        store.deleteMember(id, "p3");
        assertThat(store.members(id)).hasSize(1);
        store.create(image("55555555-5555-5555-5555-555555555555", "p9"));
        assertThat(store.listVisibleTo("p2")).extracting(Image::id).containsExactly(id);
        assertThat(store.listVisibleTo("p4")).isEmpty();
        assertThat(store.listVisibleTo("p9")).extracting(Image::id).containsExactly("55555555-5555-5555-5555-555555555555");
        store.delete(id);
        assertThat(store.get(id)).isEmpty();
        assertThat(store.memberships("p2")).isEmpty();
    }
}
