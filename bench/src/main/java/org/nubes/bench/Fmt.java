package org.nubes.bench;

import java.util.Locale;

/** Number formatting for table cells and the "bench: ..." progress lines on stderr, shared by the benchmarks. */
final class Fmt {
    private Fmt() {}

    /** Milliseconds with one decimal, or "-" for NaN and infinity. */
    static String ms(double millis) {
        return num("%.1f", millis);
    }

    /** A number in this format (Locale.ROOT), or "-" for NaN and infinity. */
    static String num(String format, double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "-" : String.format(Locale.ROOT, format, value);
    }

    /** A progress line on stderr: "bench: ...". */
    static void log(String format, Object... args) {
        System.err.println("bench: " + String.format(Locale.ROOT, format, args));
    }
}
