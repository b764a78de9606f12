package org.nubes.core.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** Column conventions every store shares, so that H2 and PostgreSQL, and nodes in any zone, agree. */
public final class Rows {
    private Rows() {}

    /**
     * Reads a TIMESTAMP column written by {@link #timestamp}: UTC wall-clock time. Going through
     * java.sql.Timestamp would read it in the JVM's time zone, so nodes in different zones (or one
     * node across a daylight-saving change) would disagree about every stored time.
     */
    public static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime utc = rs.getObject(column, LocalDateTime.class);
        return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
    }

    /**
     * Binds an instant (or null) to a TIMESTAMP column as UTC wall-clock time, whatever the JVM's
     * zone. Both databases keep microseconds and would round the nanoseconds, possibly up, so it
     * truncates: a stored expiry is never later than the one asked for.
     */
    public static Argument timestamp(Instant instant) {
        return (position, statement, context) -> {
            if (instant == null) {
                statement.setNull(position, Types.TIMESTAMP);
            } else {
                LocalDateTime utc = LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
                statement.setObject(position, utc, Types.TIMESTAMP);
            }
        };
    }

    /** Whether a write failed on a unique key (SQLSTATE 23505 on both databases). */
    public static boolean isUniqueViolation(UnableToExecuteStatementException e) {
        return e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState());
    }
}
