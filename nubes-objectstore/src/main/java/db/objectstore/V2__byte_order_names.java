package db.objectstore;

import java.sql.Connection;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Swift lists names in code point order, and markers compare the same way. H2 compares strings
 * that way already; PostgreSQL compares by the database's locale unless a column says COLLATE "C",
 * which only PostgreSQL understands, hence a Java migration rather than SQL.
 */
public class V2__byte_order_names extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        if (!connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres")) {
            return;
        }
        try (Statement s = connection.createStatement()) {
            s.execute("ALTER TABLE os_containers ALTER COLUMN name TYPE VARCHAR(256) COLLATE \"C\"");
            s.execute("ALTER TABLE os_objects ALTER COLUMN name TYPE VARCHAR(1024) COLLATE \"C\"");
        }
    }
}
