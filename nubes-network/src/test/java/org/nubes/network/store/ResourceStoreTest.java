package org.nubes.network.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nubes.core.config.DatabaseConfig;
import org.nubes.core.db.Database;
import org.nubes.core.json.Json;
import org.nubes.core.testing.TestDatabases;
import org.nubes.network.store.ResourceStore.Row;

/** The networking tables on the embedded H2 and on PostgreSQL, each test on a fresh database. */
class ResourceStoreTest {
    private final ResourceStore store = new ResourceStore();
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

    private Jdbi open(DatabaseConfig config) {
        database = Database.open(config);
        database.migrate("network");
        return database.jdbi();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void rowsRoundTripAndAreFoundByTheirColumns(DatabaseConfig config) {
        Jdbi jdbi = open(config);
        Row net = new Row("network", "n1", "p1", null, null, Json.object().put("id", "n1").put("name", "ünïcode ✓"));
        Row port = new Row("port", "port1", "p1", "n1", "vm-1", Json.object().put("id", "port1"));
        jdbi.useTransaction(h -> {
            store.insert(h, net);
            store.insert(h, port);
        });
        jdbi.useHandle(h -> {
            assertThat(store.find(h, "network", "n1")).hasValue(net);
            assertThat(store.find(h, "port", "n1")).isEmpty();
            assertThat(store.children(h, "port", "n1")).containsExactly(port);
            assertThat(store.ofDevice(h, "port", "vm-1")).containsExactly(port);
            assertThat(store.ofProject(h, "network", "p1")).containsExactly(net);
            assertThat(store.count(h, "port", "p1")).isEqualTo(1);
            assertThat(store.count(h, "port", "p2")).isZero();
            Row renamed = new Row("network", "n1", "p1", null, null, Json.object().put("id", "n1").put("name", "new"));
            store.update(h, renamed);
            assertThat(store.all(h, "network")).containsExactly(renamed);
            store.delete(h, "n1");
            assertThat(store.all(h, "network")).isEmpty();
        });
    }

    @ParameterizedTest
    @MethodSource("databases")
    void addressesAndMacsAreClaimedOnceAndReleasedWithTheirPort(DatabaseConfig config) {
        Jdbi jdbi = open(config);
        jdbi.useTransaction(h -> {
            assertThat(store.claimAddress(h, "s1", "10.0.0.2", "a")).isTrue();
            assertThat(store.claimAddress(h, "s1", "10.0.0.2", "b")).isFalse();
            assertThat(store.claimAddress(h, "s2", "10.0.0.2", "b")).isTrue();
            assertThat(store.claimMac(h, "n1", "fa:16:3e:00:00:01", "a")).isTrue();
            assertThat(store.claimMac(h, "n1", "fa:16:3e:00:00:01", "b")).isFalse();
        });
        jdbi.useTransaction(h -> {
            assertThat(store.allocatedAddresses(h, "s1")).containsExactly("10.0.0.2");
            store.releasePort(h, "a");
            assertThat(store.subnetHasAllocations(h, "s1")).isFalse();
            assertThat(store.subnetHasAllocations(h, "s2")).isTrue();
            assertThat(store.claimMac(h, "n1", "fa:16:3e:00:00:01", "b")).isTrue();
            store.releaseMac(h, "b");
            assertThat(store.claimMac(h, "n1", "fa:16:3e:00:00:01", "c")).isTrue();
            assertThat(store.subnetHasAllocations(h, "s2")).as("the MAC alone was freed").isTrue();
            store.releaseAddress(h, "s2", "10.0.0.2");
            assertThat(store.subnetHasAllocations(h, "s2")).isFalse();
        });
    }

    @ParameterizedTest
    @MethodSource("databases")
    void quotasAreKeptPerProjectAndResource(DatabaseConfig config) {
        Jdbi jdbi = open(config);
        jdbi.useTransaction(h -> {
            store.setQuota(h, "p1", "network", 3);
            store.setQuota(h, "p1", "network", 4);
            store.setQuota(h, "p2", "port", -1);
        });
        jdbi.useHandle(h -> {
            assertThat(store.quotas(h, "p1")).isEqualTo(java.util.Map.of("network", 4));
            assertThat(store.projectsWithQuotas(h)).containsExactly("p1", "p2");
            store.deleteQuotas(h, "p1");
            assertThat(store.projectsWithQuotas(h)).containsExactly("p2");
        });
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aLockMakesOtherTransactionsWaitUntilItsOwnEnds(DatabaseConfig config) throws Exception {
        Jdbi jdbi = open(config);
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> holder = threads.submit(() -> {
                jdbi.useTransaction(h -> {
                    store.lock(h, "project:p1");
                    store.lock(h, "project:p1"); // again in its own transaction: no wait
                    locked.countDown();
                    release.await();
                });
                return null;
            });
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> waiter = threads.submit(() -> jdbi.useTransaction(h -> store.lock(h, "project:p1")));
            threads.submit(() -> jdbi.useTransaction(h -> store.lock(h, "project:p2"))).get(10, TimeUnit.SECONDS);
            Thread.sleep(300);
            assertThat(waiter.isDone()).as("the same lock waits").isFalse();
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            waiter.get(10, TimeUnit.SECONDS);
        }
    }
}
