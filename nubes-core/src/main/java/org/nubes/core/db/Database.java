package org.nubes.core.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.nubes.core.config.DatabaseConfig;

/**
 * The connection pool and JDBI handle of one process. Each service migrates its own tables with
 * Flyway from {@code classpath:db/<service>}, keeping its own history table, so services can be
 * deployed against one database or several.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean postgres;

    private Database(HikariDataSource dataSource, boolean postgres) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.postgres = postgres;
    }

    public static Database open(DatabaseConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.url());
        if (!config.user().isBlank()) {
            hikari.setUsername(config.user());
        }
        if (!config.password().isBlank()) {
            hikari.setPassword(config.password());
        }
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(1);
        hikari.setPoolName("nubes");
        hikari.setConnectionTimeout(DatabaseConfig.WAIT_MILLIS);
        return new Database(new HikariDataSource(hikari), config.isPostgres());
    }

    /** Applies the migrations of one service. */
    public void migrate(String service) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/" + service)
                .table("flyway_" + service + "_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public boolean isPostgres() {
        return postgres;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
