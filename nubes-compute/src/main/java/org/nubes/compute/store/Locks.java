package org.nubes.compute.store;

import org.jdbi.v3.core.Handle;
import org.nubes.core.db.LockRows;

/**
 * Compute's named lock rows (table project_locks): a transaction that counts something against a
 * limit and then adds to it first locks the owner's row. Keys: a project id, or "user:" + a user
 * id for per-user limits.
 */
public final class Locks {
    private static final LockRows ROWS = new LockRows("project_locks", "project_id");

    private Locks() {}

    public static void lock(Handle h, String key) {
        ROWS.lock(h, key);
    }
}
