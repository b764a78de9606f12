package org.nubes.identity.service;

import java.time.Duration;
import org.nubes.identity.store.IdentityStores;

/**
 * Hands out the current {@link Snapshot}, loading a new one when identity data changed in this
 * process, or when it is older than a few seconds so that writes made by other API processes on a
 * shared database are seen soon.
 */
public final class Directory {
    private static final long MAX_AGE_NANOS = Duration.ofSeconds(5).toNanos();

    private final IdentityStores stores;
    private volatile Snapshot current;

    public Directory(IdentityStores stores) {
        this.stores = stores;
    }

    public Snapshot current() {
        Snapshot snapshot = current;
        long generation = stores.changes().generation();
        if (snapshot == null || snapshot.generation() != generation
                || System.nanoTime() - snapshot.loadedAtNanos() > MAX_AGE_NANOS) {
            snapshot = load(generation);
        }
        return snapshot;
    }

    private synchronized Snapshot load(long generation) {
        Snapshot snapshot = current;
        if (snapshot != null && snapshot.generation() == generation
                && System.nanoTime() - snapshot.loadedAtNanos() <= MAX_AGE_NANOS) {
            return snapshot;
        }
        snapshot = Snapshot.of(generation,
                stores.domains().list(), stores.projects().list(), stores.roles().list(),
                stores.roles().implications(), stores.assignments().all(), stores.groups().memberships(),
                stores.catalog().services(), stores.catalog().endpoints(), stores.revocations().all());
        current = snapshot;
        return snapshot;
    }
}
