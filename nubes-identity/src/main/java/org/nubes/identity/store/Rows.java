package org.nubes.identity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
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

    static Instant instant(ResultSet rs, String column) throws SQLException {
        return org.nubes.core.db.Rows.instant(rs, column);
    }

    static Argument timestamp(Instant instant) {
        return org.nubes.core.db.Rows.timestamp(instant);
    }

    /** Runs a write and turns a unique-key violation into Keystone's 409. */
    static <T> T unique(Supplier<T> write, String conflictMessage) {
        try {
            return write.get();
        } catch (UnableToExecuteStatementException e) {
            if (org.nubes.core.db.Rows.isUniqueViolation(e)) {
                throw ApiException.conflict("%s", conflictMessage);
            }
            throw e;
        }
    }
}
