package org.nubes.compute.store;

import org.jdbi.v3.core.Handle;

/**
 * Named lock rows (table project_locks): a transaction that counts something against a limit and
 * then adds to it first locks the owner's row, so the checks of one owner run one at a time on
 * every node. Keys: a project id, or "user:" + a user id for per-user limits.
 */
public final class Locks {
    private Locks() {}

    /**
     * Locks the key's row until the transaction ends, creating it first if needed. The insert
     * skips a row that exists, so a race to create it aborts nothing (PostgreSQL would abort the
     * whole transaction on a duplicate-key error).
     */
    public static void lock(Handle h, String key) {
        if (touch(h, key)) {
            return;
        }
        h.createUpdate("INSERT INTO project_locks (project_id) VALUES (:k) ON CONFLICT DO NOTHING").bind("k", key).execute();
        touch(h, key);
    }

    private static boolean touch(Handle h, String key) {
        return h.createUpdate("UPDATE project_locks SET project_id = project_id WHERE project_id = :k").bind("k", key).execute() == 1;
    }
}
