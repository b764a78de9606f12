package org.nubes.core.config;

import java.nio.file.Path;

/** Where state lives: the embedded H2 file under the data directory unless a JDBC URL is set. */
public record DatabaseConfig(String url, String user, String password, int poolSize) {
    public static DatabaseConfig from(Config config) {
        String url = config.string("database.url");
        if (url.isBlank()) {
            url = embedded(config.path("data_dir").resolve("db"));
        }
        return new DatabaseConfig(url, config.string("database.user"), config.string("database.password"),
                config.integer("database.pool_size"));
    }

    /** H2 in PostgreSQL mode, so one set of migrations serves both databases. */
    public static String embedded(Path directory) {
        return "jdbc:h2:file:" + directory.toAbsolutePath().resolve("nubes") + ";" + H2_MODE;
    }

    /**
     * How long a request waits for the database: for a pooled connection, and (on H2) for a row
     * lock. When many requests queue on one lock row (ports on one network), the transactions
     * ahead hold the connections, so both waits are the same queue and get the same limit.
     */
    public static final int WAIT_MILLIS = 30_000;

    /**
     * H2 speaking PostgreSQL's dialect. Each connection keeps its parsed statements: the services
     * run a few dozen distinct statements, and H2's default cache of 8 made it parse most of them
     * again on every request. A transaction waits for a row lock as long as PostgreSQL lets it in
     * practice, not H2's one second: when many requests queue on one lock row (ports on one
     * network), a second's wait is normal load and must not become a 500.
     */
    public static final String H2_MODE =
            "MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;QUERY_CACHE_SIZE=256;LOCK_TIMEOUT=" + WAIT_MILLIS;

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }
}
