package org.nubes.compute.store;

import static org.nubes.core.db.Rows.instant;
import static org.nubes.core.db.Rows.timestamp;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.nubes.core.db.Rows;

/**
 * The keypairs table. A user's key pairs are counted and inserted under the user's lock row (in
 * project_locks, keyed "user:" + id), so concurrent creates cannot together pass the quota.
 */
public final class KeypairStore {
    /** A key pair with the integer id Nova shows. */
    public record Row(long seq, Keypair keypair) {}

    /** What an insert ran into. */
    public enum Insert { CREATED, EXISTS, OVER_QUOTA }

    private final Jdbi jdbi;

    public KeypairStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<Row> get(String userId, String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM keypairs WHERE user_id = :u AND name = :n")
                .bind("u", userId).bind("n", name).map((rs, c) -> row(rs)).findOne());
    }

    public int count(String userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM keypairs WHERE user_id = :u").bind("u", userId)
                .mapTo(Integer.class).one());
    }

    /** A user's key pairs by name, after the marker's name, at most limit of them. */
    public List<Row> list(String userId, String afterName, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM keypairs WHERE user_id = :u"
                        + (afterName == null ? "" : " AND name > :after") + " ORDER BY name LIMIT :limit")
                .bind("u", userId).bind("after", afterName).bind("limit", limit)
                .map((rs, c) -> row(rs)).list());
    }

    /**
     * Inserts a key pair unless the user already has one of that name, or already has as many as
     * the limit the function reads in the transaction (-1: no limit).
     */
    public Insert insert(Keypair k, ToIntFunction<Handle> limitFor) {
        String lock = "user:" + k.userId();
        try {
            return jdbi.inTransaction(h -> {
                Locks.lock(h, lock);
                if (get(h, k.userId(), k.name())) {
                    return Insert.EXISTS;
                }
                int count = h.createQuery("SELECT COUNT(*) FROM keypairs WHERE user_id = :u").bind("u", k.userId())
                        .mapTo(Integer.class).one();
                int limit = limitFor.applyAsInt(h);
                if (limit >= 0 && count + 1 > limit) {
                    return Insert.OVER_QUOTA;
                }
                h.createUpdate("""
                                INSERT INTO keypairs (user_id, name, type, public_key, fingerprint, created_at)
                                VALUES (:u, :n, :t, :k, :f, :c)""")
                        .bind("u", k.userId()).bind("n", k.name()).bind("t", k.type()).bind("k", k.publicKey())
                        .bind("f", k.fingerprint()).bind("c", timestamp(k.createdAt()))
                        .execute();
                return Insert.CREATED;
            });
        } catch (UnableToExecuteStatementException e) {
            if (Rows.isUniqueViolation(e)) {
                return Insert.EXISTS;
            }
            throw e;
        }
    }

    private static boolean get(Handle h, String userId, String name) {
        return h.createQuery("SELECT COUNT(*) FROM keypairs WHERE user_id = :u AND name = :n")
                .bind("u", userId).bind("n", name).mapTo(Integer.class).one() > 0;
    }

    public boolean delete(String userId, String name) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM keypairs WHERE user_id = :u AND name = :n")
                .bind("u", userId).bind("n", name).execute()) > 0;
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getLong("seq"), new Keypair(rs.getString("user_id"), rs.getString("name"), rs.getString("type"),
                rs.getString("public_key"), rs.getString("fingerprint"), instant(rs, "created_at")));
    }
}
