package org.nubes.identity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;

/** Row helpers shared by the identity stores. */
final class Rows {
    private Rows() {}

    static ObjectNode extra(ResultSet rs) throws SQLException {
        String text = rs.getString("extra");
        return text == null || text.isEmpty() ? Json.object() : (ObjectNode) Json.parse(text.getBytes());
    }

    static String extra(ObjectNode extra) {
        return Json.string(extra == null ? Json.object() : extra);
    }

    /**
     * Reads a TIMESTAMP column written by {@link #timestamp}: UTC wall-clock time. Going through
     * java.sql.Timestamp would read it in the JVM's time zone, so nodes in different zones (or one
     * node across a daylight-saving change) would disagree about every stored time.
     */
    static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime utc = rs.getObject(column, LocalDateTime.class);
        return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
    }

    /**
     * Binds an instant (or null) to a TIMESTAMP column as UTC wall-clock time, whatever the JVM's
     * zone. Both databases keep microseconds and would round the nanoseconds, possibly up, so it
     * truncates: a stored expiry is never later than the one asked for.
     */
    static Argument timestamp(Instant instant) {
        return (position, statement, context) -> {
            if (instant == null) {
                statement.setNull(position, Types.TIMESTAMP);
            } else {
                LocalDateTime utc = LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
                statement.setObject(position, utc, Types.TIMESTAMP);
            }
        };
    }

    /** Runs a write and turns a unique-key violation into Keystone's 409. */
    static <T> T unique(Supplier<T> write, String conflictMessage) {
        try {
            return write.get();
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                throw ApiException.conflict("%s", conflictMessage);
            }
            throw e;
        }
    }
}
