package org.nubes.identity.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.User;

/**
 * Hands out the current {@link Snapshot}, loading a new one when identity data changed in this
 * process, or when it is older than a few seconds so that writes made by other API processes on a
 * shared database are seen soon.
 */
public final class Directory {
    private static final long MAX_AGE_NANOS = Duration.ofSeconds(5).toNanos();

    private record CachedUser(long generation, Optional<User> user) {}

    private final IdentityStores stores;
    private final Cache<String, CachedUser> users = Caffeine.newBuilder().maximumSize(10_000).build();
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

    /**
     * A user by id, remembered until identity data changes: every token issue and uncached
     * validation needs the token's user, and reading it from the database dominated their cost.
     */
    public Optional<User> user(String id) {
        long generation = stores.changes().generation();
        CachedUser cached = users.getIfPresent(id);
        if (cached == null || cached.generation() != generation) {
            cached = new CachedUser(generation, stores.users().get(id));
            users.put(id, cached);
        }
        return cached.user();
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
