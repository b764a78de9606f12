package org.nubes.compute.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nubes.compute.service.Quotas;
import org.nubes.core.config.DatabaseConfig;
import org.nubes.core.db.Database;
import org.nubes.core.testing.TestDatabases;

/** The instances table and the lock rows on the embedded H2 and on PostgreSQL, each test on a fresh database. */
class InstanceStoreTest {
    private static final Instant T0 = Instant.parse("2026-03-29T01:30:00.123456Z");
    private static final Flavor TINY = new Flavor("1", "m1.tiny", 1, 512, 1, 0, 0, 1.0, true, false, null, Map.of());

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

    private InstanceStore open(DatabaseConfig config) {
        database = Database.open(config);
        database.migrate("compute");
        return new InstanceStore(database.jdbi());
    }

    private static Instance server(String name, String project) {
        return new Instance(UUID.randomUUID().toString(), name, project, "u", "img", TINY, "building", "scheduling", 0,
                null, null, null, null, null, null, Map.of("k", "v"), List.of("blue"), null, Instance.Lock.NONE, null,
                null, "", name, 0, "r-1", 0, null, null, null, null, T0, T0, null, false, List.of());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void conditionalUpdatesLetOneOfTwoRacersWin(DatabaseConfig config) {
        InstanceStore store = open(config);
        Instance s = server("racer", "p");
        store.insert(List.of(s));
        Map<String, Object> stop = Map.of("task_state", "powering-off");
        assertThat(store.update(s.id(), Arrays.asList("scheduling"), stop, T0)).isTrue();
        assertThat(store.update(s.id(), Arrays.asList("scheduling"), stop, T0)).isFalse();
        Instance read = store.get(s.id()).orElseThrow();
        assertThat(read.taskState()).isEqualTo("powering-off");
        assertThat(read.metadata()).containsEntry("k", "v");
        assertThat(read.tags()).containsExactly("blue");
        assertThat(read.createdAt()).isEqualTo(T0.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        assertThat(store.markDeleted(s.id(), T0)).isTrue();
        assertThat(store.get(s.id())).isEmpty();
        assertThat(store.getIncludingDeleted(s.id()).orElseThrow().vmState()).isEqualTo("deleted");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void projectLocksSerialiseQuotaChecksEvenWhenTheLockRowIsNew(DatabaseConfig config) throws Exception {
        InstanceStore store = open(config);
        int limit = 3;
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int n = 0; n < 8; n++) {
                int index = n;
                results.add(pool.submit(() -> store.jdbi().inTransaction(h -> {
                    Quotas.lockProject(h, "fresh-project");
                    if (store.usage(h, "fresh-project").instances() >= limit) {
                        return false;
                    }
                    store.insert(h, server("s" + index, "fresh-project"));
                    return true;
                })));
            }
            long created = 0;
            for (Future<Boolean> result : results) {
                created += result.get() ? 1 : 0;
            }
            assertThat(created).isEqualTo(limit);
        }
        assertThat(store.jdbi().withHandle(h -> store.usage(h, "fresh-project")).instances()).isEqualTo(limit);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void actionsRecordTheirEventsAndAFailureMarksTheAction(DatabaseConfig config) {
        InstanceStore store = open(config);
        ActionStore actions = new ActionStore(store.jdbi());
        actions.start("server-1", "create", "req-1", "u", "p", T0);
        long event = actions.startEvent("server-1", "req-1", "compute_build", "host-1", T0);
        assertThat(event).isPositive();
        assertThat(actions.startEvent("server-1", "req-unknown", "compute_build", "host-1", T0)).isEqualTo(-1);
        actions.finishEvent(event, false, "boom", T0.plusSeconds(1));
        actions.recordEvent("server-1", "req-1", "schedule_instances", T0, true, null, T0);
        ActionStore.Action action = actions.list("server-1").getFirst();
        assertThat(action.message()).isEqualTo("Error");
        assertThat(actions.events(action.id())).extracting(ActionStore.Event::event, ActionStore.Event::result)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("compute_build", "Error"),
                        org.assertj.core.groups.Tuple.tuple("schedule_instances", "Success"));
    }
}
