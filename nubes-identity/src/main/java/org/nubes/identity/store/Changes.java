package org.nubes.identity.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts writes to identity data. Whatever is derived from that data (validated tokens, role
 * closures, the catalog) is cached with the count it was computed at and recomputed when the count
 * has moved, so no write is ever served stale from this process.
 */
public final class Changes {
    private final AtomicLong generation = new AtomicLong();

    public long generation() {
        return generation.get();
    }

    public void changed() {
        generation.incrementAndGet();
    }
}
