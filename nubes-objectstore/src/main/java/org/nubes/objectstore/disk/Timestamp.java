package org.nubes.objectstore.disk;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Swift's timestamp: seconds since the epoch with five decimals, written with ten integer digits
 * ("1700000000.12345") so that file names and database columns sort in time order as text. The
 * newest timestamp of an object's files is its current state.
 */
public record Timestamp(long ticks) implements Comparable<Timestamp> {
    private static final long PER_SECOND = 100_000;
    private static final AtomicLong LAST = new AtomicLong();

    /** Now, and strictly after every timestamp this process handed out before (two quick PUTs must order). */
    public static Timestamp now() {
        Instant now = Instant.now();
        long ticks = now.getEpochSecond() * PER_SECOND + now.getNano() / 10_000;
        return new Timestamp(LAST.updateAndGet(last -> Math.max(last + 1, ticks)));
    }

    public static Timestamp parse(String text) {
        int dot = text.indexOf('.');
        if (dot < 0) {
            return new Timestamp(Long.parseLong(text) * PER_SECOND);
        }
        String fraction = (text.substring(dot + 1) + "00000").substring(0, 5);
        return new Timestamp(Long.parseLong(text.substring(0, dot)) * PER_SECOND + Long.parseLong(fraction));
    }

    public Instant instant() {
        return Instant.ofEpochSecond(ticks / PER_SECOND, (ticks % PER_SECOND) * 10_000);
    }

    /** Whole seconds, rounded up as Swift does for Last-Modified (so If-Modified-Since with it matches). */
    public long ceilSeconds() {
        return (ticks + PER_SECOND - 1) / PER_SECOND;
    }

    @Override
    public String toString() {
        return "%010d.%05d".formatted(ticks / PER_SECOND, ticks % PER_SECOND);
    }

    @Override
    public int compareTo(Timestamp other) {
        return Long.compare(ticks, other.ticks);
    }
}
