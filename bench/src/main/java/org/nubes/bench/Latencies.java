package org.nubes.bench;

import org.HdrHistogram.Histogram;

/**
 * Latencies of one worker (not thread-safe; give each worker its own and {@link #add} them at the
 * end). Values are nanoseconds, kept to three significant digits up to one hour.
 */
public final class Latencies {
    private static final long HIGHEST_NANOS = 3_600_000_000_000L;

    private final Histogram histogram = new Histogram(1_000L, HIGHEST_NANOS, 3);

    public void record(long nanos) {
        histogram.recordValue(Math.clamp(nanos, 1_000L, HIGHEST_NANOS));
    }

    public Latencies add(Latencies other) {
        histogram.add(other.histogram);
        return this;
    }

    public long count() {
        return histogram.getTotalCount();
    }

    /** The latency at a percentile (0..100) in milliseconds, or NaN with no samples. */
    public double percentileMillis(double percentile) {
        return count() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1e6;
    }

    public double maxMillis() {
        return count() == 0 ? Double.NaN : histogram.getMaxValue() / 1e6;
    }
}
