package org.nubes.core.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.nubes.core.config.DatabaseConfig;

/**
 * The databases store tests run on: embedded H2 (always) and PostgreSQL at
 * NUBES_TEST_POSTGRES_URL (default jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres), each
 * test getting a fresh schema. CI makes sure PostgreSQL runs; set NUBES_TEST_POSTGRES=skip to run
 * without it.
 */
public final class TestDatabases {
    private static final List<String> SCHEMAS = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::dropSchemas));
    }

    private TestDatabases() {}

    private static String postgresUrl() {
        return System.getenv().getOrDefault("NUBES_TEST_POSTGRES_URL",
                "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
    }

    private static void dropSchemas() {
        if (SCHEMAS.isEmpty()) {
            return;
        }
        try (Connection c = DriverManager.getConnection(postgresUrl())) {
            try (Statement s = c.createStatement()) {
                for (String schema : SCHEMAS) {
                    s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                }
            }
        } catch (SQLException e) {
            System.err.println("could not drop test schemas: " + e.getMessage());
        }
    }

    public static DatabaseConfig h2() {
        return new DatabaseConfig("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;" + DatabaseConfig.H2_MODE, "", "", 4);
    }

    public static boolean postgresWanted() {
        return !"skip".equals(System.getenv("NUBES_TEST_POSTGRES"));
    }

    /** A new, empty schema on the test PostgreSQL server. */
    public static DatabaseConfig postgres() {
        String url = postgresUrl();
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            SCHEMAS.add(schema);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL for the store tests is not reachable at " + url
                    + " (start it, or set NUBES_TEST_POSTGRES=skip): " + e.getMessage(), e);
        }
        String separator = url.contains("?") ? "&" : "?";
        return new DatabaseConfig(url + separator + "currentSchema=" + schema, "", "", 4);
    }

    /** Both databases, or H2 alone when PostgreSQL is skipped. */
    public static List<DatabaseConfig> all() {
        return postgresWanted() ? List.of(h2(), postgres()) : List.of(h2());
    }

    /**
     * {@link #all()} named "h2" and "postgresql", for {@code @MethodSource}, so that a parameterized
     * test's name says which database failed. Each call makes fresh databases.
     */
    public static Stream<Named<DatabaseConfig>> named() {
        return all().stream().map(c -> Named.of(c.isPostgres() ? "postgresql" : "h2", c));
    }
}
