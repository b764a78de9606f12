package org.nubes.objectstore.store;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.nubes.core.json.Json;

/**
 * The os_accounts, os_containers and os_objects tables. An object change updates its row and its
 * container's counts in one transaction that first locks the container row, so concurrent writes
 * to one container keep the counts exact, and a change older than the row's timestamp is ignored
 * (the newest timestamp wins, as on disk).
 */
public final class ListingStore {
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {};

    private final Jdbi jdbi;

    public ListingStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    // ---- accounts

    /** The account's metadata and totals; an account without a row has none and was "created" now. */
    public AccountRow account(String account, String now) {
        return jdbi.withHandle(h -> {
            var row = h.createQuery("SELECT metadata, created FROM os_accounts WHERE account = :a")
                    .bind("a", account).map((rs, c) -> new String[] {rs.getString(1), rs.getString(2)}).findOne();
            var totals = h.createQuery("""
                    SELECT COUNT(*), COALESCE(SUM(object_count), 0), COALESCE(SUM(bytes_used), 0)
                    FROM os_containers WHERE account = :a""")
                    .bind("a", account).map((rs, c) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).one();
            Map<String, String> metadata = row.map(r -> readMap(r[0])).orElse(Map.of());
            return new AccountRow(account, metadata, row.map(r -> r[1]).orElse(now), totals[0], totals[1], totals[2]);
        });
    }

    public void setAccountMetadata(String account, Map<String, String> metadata, String now) {
        jdbi.useTransaction(h -> {
            ensureAccount(h, account, now);
            h.createUpdate("UPDATE os_accounts SET metadata = :m WHERE account = :a")
                    .bind("a", account).bind("m", Json.string(metadata)).execute();
        });
    }

    private static void ensureAccount(Handle h, String account, String now) {
        int exists = h.createQuery("SELECT COUNT(*) FROM os_accounts WHERE account = :a").bind("a", account).mapTo(Integer.class).one();
        if (exists == 0) {
            try {
                h.createUpdate("INSERT INTO os_accounts (account, metadata, created) VALUES (:a, '{}', :now)")
                        .bind("a", account).bind("now", now).execute();
            } catch (UnableToExecuteStatementException e) {
                if (!isDuplicate(e)) {
                    throw e;
                }
            }
        }
    }

    public List<ContainerRow> containers(String account, ListingQuery q) {
        return jdbi.withHandle(h -> {
            Query query = h.createQuery("SELECT * FROM os_containers WHERE account = :a" + pageSql(q));
            bindPage(query, q);
            return query.bind("a", account).map((rs, c) -> containerRow(rs)).list();
        });
    }

    // ---- containers

    public Optional<ContainerRow> container(String account, String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM os_containers WHERE account = :a AND name = :n")
                .bind("a", account).bind("n", name).map((rs, c) -> containerRow(rs)).findOne());
    }

    /** Creates the container; false when it exists already. */
    public boolean createContainer(String account, String name, Map<String, String> metadata,
            String readAcl, String writeAcl, String now) {
        try {
            jdbi.useTransaction(h -> {
                ensureAccount(h, account, now);
                h.createUpdate("""
                        INSERT INTO os_containers (account, name, object_count, bytes_used, metadata, read_acl, write_acl, created, modified)
                        VALUES (:a, :n, 0, 0, :m, :r, :w, :now, :now)""")
                        .bind("a", account).bind("n", name).bind("m", Json.string(metadata))
                        .bind("r", readAcl).bind("w", writeAcl).bind("now", now).execute();
            });
            return true;
        } catch (UnableToExecuteStatementException e) {
            if (isDuplicate(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Replaces metadata and ACLs; false when the container does not exist. */
    public boolean updateContainer(String account, String name, Map<String, String> metadata, String readAcl, String writeAcl) {
        return jdbi.withHandle(h -> h.createUpdate("""
                UPDATE os_containers SET metadata = :m, read_acl = :r, write_acl = :w WHERE account = :a AND name = :n""")
                .bind("a", account).bind("n", name).bind("m", Json.string(metadata))
                .bind("r", readAcl).bind("w", writeAcl).execute() > 0);
    }

    public enum DeleteResult { DELETED, NOT_FOUND, NOT_EMPTY }

    public DeleteResult deleteContainer(String account, String name) {
        return jdbi.inTransaction(h -> {
            Optional<Long> count = h.createQuery("SELECT object_count FROM os_containers WHERE account = :a AND name = :n FOR UPDATE")
                    .bind("a", account).bind("n", name).mapTo(Long.class).findOne();
            if (count.isEmpty()) {
                return DeleteResult.NOT_FOUND;
            }
            if (count.get() > 0) {
                return DeleteResult.NOT_EMPTY;
            }
            h.createUpdate("DELETE FROM os_objects WHERE account = :a AND container = :n")
                    .bind("a", account).bind("n", name).execute();
            h.createUpdate("DELETE FROM os_containers WHERE account = :a AND name = :n")
                    .bind("a", account).bind("n", name).execute();
            return DeleteResult.DELETED;
        });
    }

    // ---- objects

    public List<ObjectRow> objects(String account, String container, ListingQuery q) {
        return jdbi.withHandle(h -> {
            Query query = h.createQuery("SELECT * FROM os_objects WHERE account = :a AND container = :c AND deleted = FALSE" + pageSql(q));
            bindPage(query, q);
            return query.bind("a", account).bind("c", container)
                    .map((rs, c) -> objectRow(rs))
                    .list();
        });
    }

    /** Records a stored object; false when the container no longer exists. */
    public boolean putObject(String account, String container, ObjectRow row) {
        return change(account, container, row.name(), row.lastModified(), row, row.size());
    }

    /** Records a delete at the given timestamp; false when the container no longer exists. */
    public boolean deleteObject(String account, String container, String name, String timestamp) {
        return change(account, container, name, timestamp, null, 0);
    }

    private boolean change(String account, String container, String name, String timestamp, ObjectRow row, long size) {
        return jdbi.inTransaction(h -> {
            // Locks the container row: changes to one container's counts happen one at a time.
            Optional<Long> locked = h.createQuery("SELECT object_count FROM os_containers WHERE account = :a AND name = :c FOR UPDATE")
                    .bind("a", account).bind("c", container).mapTo(Long.class).findOne();
            if (locked.isEmpty()) {
                return false;
            }
            var old = h.createQuery("SELECT size, deleted, last_modified FROM os_objects WHERE account = :a AND container = :c AND name = :n")
                    .bind("a", account).bind("c", container).bind("n", name)
                    .map((rs, c) -> new Object[] {rs.getLong(1), rs.getBoolean(2), rs.getString(3)}).findOne();
            if (old.isPresent() && ((String) old.get()[2]).compareTo(timestamp) >= 0) {
                return true;  // a newer change is recorded already
            }
            long countDelta = (row != null ? 1 : 0) - (old.isPresent() && !(Boolean) old.get()[1] ? 1 : 0);
            long bytesDelta = size - (old.isPresent() && !(Boolean) old.get()[1] ? (Long) old.get()[0] : 0);
            if (old.isPresent()) {
                h.createUpdate("""
                        UPDATE os_objects SET size = :s, etag = :e, content_type = :t, last_modified = :lm, deleted = :d,
                        delete_at = :da
                        WHERE account = :a AND container = :c AND name = :n""")
                        .bind("a", account).bind("c", container).bind("n", name).bind("s", size)
                        .bind("e", row == null ? "" : row.etag()).bind("t", row == null ? "" : row.contentType())
                        .bind("lm", timestamp).bind("d", row == null).bind("da", row == null ? null : row.deleteAt()).execute();
            } else {
                h.createUpdate("""
                        INSERT INTO os_objects (account, container, name, size, etag, content_type, last_modified, deleted, delete_at)
                        VALUES (:a, :c, :n, :s, :e, :t, :lm, :d, :da)""")
                        .bind("a", account).bind("c", container).bind("n", name).bind("s", size)
                        .bind("e", row == null ? "" : row.etag()).bind("t", row == null ? "" : row.contentType())
                        .bind("lm", timestamp).bind("d", row == null).bind("da", row == null ? null : row.deleteAt()).execute();
            }
            h.createUpdate("""
                    UPDATE os_containers SET object_count = object_count + :dc, bytes_used = bytes_used + :db, modified = :lm
                    WHERE account = :a AND name = :c""")
                    .bind("a", account).bind("c", container).bind("dc", countDelta).bind("db", bytesDelta)
                    .bind("lm", timestamp).execute();
            return true;
        });
    }

    /** Updates what a POST changes of the listing row: the content type and the expiry time. */
    public void postObject(String account, String container, String name, String contentType, Long deleteAt) {
        jdbi.useHandle(h -> h.createUpdate("""
                UPDATE os_objects SET content_type = :t, delete_at = :da
                WHERE account = :a AND container = :c AND name = :n AND deleted = FALSE""")
                .bind("a", account).bind("c", container).bind("n", name).bind("t", contentType).bind("da", deleteAt).execute());
    }

    /** An object due to expire, as its listing row says. */
    public record Expiring(String account, String container, String name, long deleteAt) {}

    /** Up to limit listed objects whose expiry time is now or earlier, the earliest first. */
    public List<Expiring> expiring(long now, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT account, container, name, delete_at FROM os_objects
                WHERE delete_at <= :now AND deleted = FALSE ORDER BY delete_at LIMIT :limit""")
                .bind("now", now).bind("limit", limit)
                .map((rs, c) -> new Expiring(rs.getString("account"), rs.getString("container"), rs.getString("name"),
                        rs.getLong("delete_at")))
                .list());
    }

    // ---- helpers

    private static String pageSql(ListingQuery q) {
        StringBuilder sql = new StringBuilder();
        if (q.prefix() != null && !q.prefix().isEmpty()) {
            sql.append(" AND name LIKE :prefix ESCAPE '!'");
        }
        if (q.marker() != null && !q.marker().isEmpty()) {
            sql.append(" AND name > :marker");
        }
        if (q.endMarker() != null && !q.endMarker().isEmpty()) {
            sql.append(" AND name < :end");
        }
        sql.append(" ORDER BY name").append(q.reverse() ? " DESC" : "").append(" LIMIT :limit");
        return sql.toString();
    }

    private static void bindPage(Query query, ListingQuery q) {
        if (q.prefix() != null && !q.prefix().isEmpty()) {
            query.bind("prefix", q.prefix().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        }
        if (q.marker() != null && !q.marker().isEmpty()) {
            query.bind("marker", q.marker());
        }
        if (q.endMarker() != null && !q.endMarker().isEmpty()) {
            query.bind("end", q.endMarker());
        }
        query.bind("limit", q.limit());
    }

    private static ObjectRow objectRow(java.sql.ResultSet rs) throws SQLException {
        Long deleteAt = rs.getObject("delete_at", Long.class);
        return new ObjectRow(rs.getString("name"), rs.getLong("size"), rs.getString("etag"), rs.getString("content_type"),
                rs.getString("last_modified"), deleteAt);
    }

    private static ContainerRow containerRow(java.sql.ResultSet rs) throws SQLException {
        return new ContainerRow(rs.getString("account"), rs.getString("name"), rs.getLong("object_count"),
                rs.getLong("bytes_used"), readMap(rs.getString("metadata")), rs.getString("read_acl"),
                rs.getString("write_acl"), rs.getString("created"), rs.getString("modified"));
    }

    private static Map<String, String> readMap(String json) {
        try {
            return Json.MAPPER.readValue(json, MAP);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean isDuplicate(UnableToExecuteStatementException e) {
        return e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState());
    }
}
