package org.nubes.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nubes.core.config.Config;
import org.nubes.core.config.DatabaseConfig;
import org.nubes.core.testing.TestDatabases;

/** The SQL the stores rely on behaves the same on the embedded H2 and on PostgreSQL. */
class DatabaseTest {
    private Database database;

    @TempDir
    Path tmp;

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    static Stream<Named<DatabaseConfig>> databases() {
        return TestDatabases.named();
    }

    private Database open(DatabaseConfig config) {
        database = Database.open(config);
        database.migrate("coretest");
        return database;
    }

    @ParameterizedTest
    @MethodSource("databases")
    void migratesIntoItsOwnHistoryTableAndOnlyOnce(DatabaseConfig config) {
        Database db = open(config);

        db.migrate("coretest");

        assertThat(count(db, "SELECT COUNT(*) FROM flyway_coretest_history WHERE success AND version = '1'")).isEqualTo(1);
        assertThat(count(db, "SELECT COUNT(*) FROM things")).isZero();
        assertThat(db.isPostgres()).isEqualTo(config.isPostgres());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void insertsAndSelectsThroughJdbi(DatabaseConfig config) {
        Database db = open(config);
        Instant created = Instant.now().truncatedTo(ChronoUnit.MICROS);

        db.jdbi().useHandle(h -> insert(h, "t1", "first", created));
        db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO thing_tags (thing_id, tag) VALUES ('t1', 'blue'), ('t1', 'red')").execute());

        record Thing(String id, String name, boolean enabled, Instant createdAt, String extra) {}
        List<Thing> things = db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM things ORDER BY name")
                .map((rs, c) -> new Thing(rs.getString("id"), rs.getString("name"), rs.getBoolean("enabled"),
                        rs.getTimestamp("created_at").toInstant(), rs.getString("extra")))
                .list());
        assertThat(things).containsExactly(new Thing("t1", "first", true, created, "{\"a\": 1}"));
        List<String> tags = db.jdbi().withHandle(h -> h.createQuery("SELECT tag FROM thing_tags WHERE thing_id IN (<ids>) ORDER BY tag")
                .bindList("ids", List.of("t1", "t2")).mapTo(String.class).list());
        assertThat(tags).containsExactly("blue", "red");

        db.jdbi().useHandle(h -> h.createUpdate("DELETE FROM things WHERE id = 't1'").execute());
        assertThat(count(db, "SELECT COUNT(*) FROM thing_tags")).as("ON DELETE CASCADE").isZero();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void onConflictDoNothingSkipsDuplicatesOfAnyUniqueKey(DatabaseConfig config) {
        Database db = open(config);
        db.jdbi().useHandle(h -> insert(h, "t1", "first", Instant.now()));

        int samePrimaryKey = db.jdbi().withHandle(h -> h.createUpdate("""
                INSERT INTO things (id, name, enabled, created_at) VALUES ('t1', 'other', FALSE, :now) ON CONFLICT DO NOTHING""")
                .bind("now", Timestamp.from(Instant.now())).execute());
        int sameName = db.jdbi().withHandle(h -> h.createUpdate("""
                INSERT INTO things (id, name, enabled, created_at) VALUES ('t2', 'first', FALSE, :now) ON CONFLICT DO NOTHING""")
                .bind("now", Timestamp.from(Instant.now())).execute());
        int fresh = db.jdbi().withHandle(h -> h.createUpdate("""
                INSERT INTO things (id, name, enabled, created_at) VALUES ('t3', 'third', FALSE, :now) ON CONFLICT DO NOTHING""")
                .bind("now", Timestamp.from(Instant.now())).execute());
        db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO thing_tags (thing_id, tag) VALUES ('t1', 'blue')").execute());
        int sameTag = db.jdbi().withHandle(h -> h.createUpdate(
                "INSERT INTO thing_tags (thing_id, tag) VALUES ('t1', 'blue') ON CONFLICT DO NOTHING").execute());

        assertThat(samePrimaryKey).isZero();
        assertThat(sameName).isZero();
        assertThat(fresh).isOne();
        assertThat(sameTag).isZero();
        assertThat(strings(db, "SELECT name FROM things ORDER BY id")).containsExactly("first", "third");
    }

    /** The identity stores turn SQLState 23505 into a 409; both databases must report it. */
    @ParameterizedTest
    @MethodSource("databases")
    void aUniqueViolationIsSqlState23505(DatabaseConfig config) {
        Database db = open(config);
        db.jdbi().useHandle(h -> insert(h, "t1", "first", Instant.now()));

        assertThatThrownBy(() -> db.jdbi().useHandle(h -> insert(h, "t2", "first", Instant.now())))
                .isInstanceOf(UnableToExecuteStatementException.class)
                .cause().isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
        assertThatThrownBy(() -> db.jdbi().useHandle(h -> insert(h, "t1", "second", Instant.now())))
                .cause().isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aFailedTransactionLeavesNothingBehind(DatabaseConfig config) {
        Database db = open(config);

        assertThatThrownBy(() -> db.jdbi().useTransaction(h -> {
            insert(h, "t1", "first", Instant.now());
            insert(h, "t2", "first", Instant.now());
        })).isInstanceOf(UnableToExecuteStatementException.class);

        assertThat(count(db, "SELECT COUNT(*) FROM things")).isZero();
    }

    @Test
    void theEmbeddedDatabaseIsAFileUnderTheDataDirectoryThatOutlivesTheProcessPool() {
        DatabaseConfig config = DatabaseConfig.from(Config.defaults().with("data_dir", tmp.toString()));

        try (Database db = Database.open(config)) {
            db.migrate("coretest");
            db.jdbi().useHandle(h -> insert(h, "t1", "kept", Instant.now()));
            assertThat(db.isPostgres()).isFalse();
        }
        assertThat(tmp.resolve("db").resolve("nubes.mv.db")).isRegularFile();

        database = Database.open(config);
        database.migrate("coretest");
        assertThat(strings(database, "SELECT name FROM things")).containsExactly("kept");
    }

    @Test
    void postgresIsRecognisedByItsUrl() {
        assertThat(new DatabaseConfig("jdbc:postgresql://h/db", "", "", 1).isPostgres()).isTrue();
        assertThat(TestDatabases.h2().isPostgres()).isFalse();
    }

    private static long count(Database db, String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static List<String> strings(Database db, String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(String.class).list());
    }

    private static void insert(Handle h, String id, String name, Instant created) {
        h.createUpdate("INSERT INTO things (id, name, enabled, created_at, extra) VALUES (:id, :name, TRUE, :created, :extra)")
                .bind("id", id).bind("name", name).bind("created", Timestamp.from(created)).bind("extra", "{\"a\": 1}")
                .execute();
    }
}
