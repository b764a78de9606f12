package org.nubes.compute.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
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

/** The flavor and key pair tables on the embedded H2 and on PostgreSQL, each test on a fresh database. */
class FlavorKeypairStoreTest {
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

    private Database open(DatabaseConfig config) {
        database = Database.open(config);
        database.migrate("compute");
        return database;
    }

    private static Flavor flavor(String id, String name, Map<String, String> specs) {
        return new Flavor(id, name, 2, 2048, 20, 1, 512, 1.5, false, false, "d", specs);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void flavorsRoundTripWithSpecsAndAccess(DatabaseConfig config) {
        FlavorStore store = new FlavorStore(open(config).jdbi());
        assertThat(store.isEmpty()).isTrue();
        Flavor f = flavor("f1", "one", Map.of("a", "1", "b", "2"));
        assertThat(store.insert(f, T0)).isEqualTo(FlavorStore.Insert.CREATED);
        assertThat(store.insert(flavor("f1", "other", Map.of()), T0)).isEqualTo(FlavorStore.Insert.DUPLICATE_ID);
        assertThat(store.insert(flavor("f2", "one", Map.of()), T0)).isEqualTo(FlavorStore.Insert.DUPLICATE_NAME);
        assertThat(store.insert(flavor("f2", "two", Map.of()), T0)).isEqualTo(FlavorStore.Insert.CREATED);

        FlavorStore.Row row = store.get("f1").orElseThrow();
        assertThat(row.flavor()).isEqualTo(f);
        assertThat(row.createdAt()).isEqualTo(T0);
        assertThat(store.get("f2").orElseThrow().seq()).isGreaterThan(row.seq());
        assertThat(store.all()).hasSize(2);

        assertThat(store.putSpecs("f1", Map.of("b", "3", "c", "4"), T0.plusSeconds(1))).isTrue();
        assertThat(store.putSpecs("nope", Map.of("b", "3"), T0)).isFalse();
        assertThat(store.get("f1").orElseThrow().flavor().extraSpecs()).isEqualTo(Map.of("a", "1", "b", "3", "c", "4"));
        assertThat(store.get("f1").orElseThrow().updatedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(store.deleteSpec("f1", "a")).isTrue();
        assertThat(store.deleteSpec("f1", "a")).isFalse();

        assertThat(store.addProject("f1", "p1")).isTrue();
        assertThat(store.addProject("f1", "p1")).isFalse();
        assertThat(store.addProject("f1", "p0")).isTrue();
        assertThat(store.projects("f1")).containsExactly("p0", "p1");
        assertThat(store.sharedWith("p1")).containsExactly("f1");
        assertThat(store.isSharedWith("f1", "p1")).isTrue();
        assertThat(store.removeProject("f1", "p1")).isTrue();
        assertThat(store.removeProject("f1", "p1")).isFalse();

        assertThat(store.delete("f1")).isTrue();
        assertThat(store.delete("f1")).isFalse();
        assertThat(store.sharedWith("p0")).isEmpty();
        assertThat(store.get("f1")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void keypairsCountUnderTheUsersLock(DatabaseConfig config) throws Exception {
        KeypairStore store = new KeypairStore(open(config).jdbi());
        int limit = 3;
        List<Future<KeypairStore.Insert>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                Keypair k = new Keypair("u1", "k" + i, "ssh", "ssh-ed25519 AAAA", "fp", T0);
                answers.add(pool.submit((Callable<KeypairStore.Insert>) () -> store.insert(k, h -> limit)));
            }
        }
        int created = 0;
        for (Future<KeypairStore.Insert> answer : answers) {
            KeypairStore.Insert result = answer.get();
            assertThat(result).isIn(KeypairStore.Insert.CREATED, KeypairStore.Insert.OVER_QUOTA);
            created += result == KeypairStore.Insert.CREATED ? 1 : 0;
        }
        assertThat(created).isEqualTo(limit);
        assertThat(store.count("u1")).isEqualTo(limit);

        Keypair other = new Keypair("u2", "k0", "ssh", "ssh-ed25519 AAAA", "fp", T0);
        assertThat(store.insert(other, h -> -1)).isEqualTo(KeypairStore.Insert.CREATED);
        assertThat(store.insert(other, h -> -1)).isEqualTo(KeypairStore.Insert.EXISTS);
        KeypairStore.Row row = store.get("u2", "k0").orElseThrow();
        assertThat(row.keypair()).isEqualTo(other);
        assertThat(row.seq()).isPositive();

        List<String> names = store.list("u1", null, 100).stream().map(r -> r.keypair().name()).toList();
        assertThat(names).isSorted().hasSize(limit);
        assertThat(store.list("u1", names.getFirst(), 1)).extracting(r -> r.keypair().name()).containsExactly(names.get(1));
        assertThat(store.delete("u2", "k0")).isTrue();
        assertThat(store.delete("u2", "k0")).isFalse();
    }
}
