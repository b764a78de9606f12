package org.nubes.core.db;

import org.jdbi.v3.core.Handle;

/**
 * Named lock rows: a transaction that checks something and then changes it (counts against a
 * limit, picks a free address) first locks a row named for what it guards, so such checks run
 * one at a time on every node. A service keeps its lock rows in a table of its own with one
 * text primary-key column; rows are made on first use and never deleted.
 */
public record LockRows(String table, String column) {
    public LockRows {
        if (!table.matches("[a-z_]+") || !column.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a plain SQL name: " + table + "." + column);
        }
    }

    /**
     * Locks the named row until the transaction ends, creating it first if needed. The insert
     * skips a row that exists, so a race to create it aborts nothing (PostgreSQL would abort the
     * whole transaction on a duplicate-key error); the loser waits for the winner's transaction.
     */
    public void lock(Handle h, String name) {
        if (touch(h, name)) {
            return;
        }
        h.createUpdate("INSERT INTO " + table + " (" + column + ") VALUES (:n) ON CONFLICT DO NOTHING").bind("n", name).execute();
        touch(h, name);
    }

    private boolean touch(Handle h, String name) {
        return h.createUpdate("UPDATE " + table + " SET " + column + " = " + column + " WHERE " + column + " = :n")
                .bind("n", name).execute() == 1;
    }
}
