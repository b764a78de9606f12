package org.nubes.objectstore.api;

import java.util.ArrayList;
import java.util.List;

/** The Range header of an object GET: bytes=a-b, a-, -n, comma-separated. */
final class ByteRanges {
    /** First and last byte, both included. */
    record Range(long first, long last) {
        long length() {
            return last - first + 1;
        }
    }

    private ByteRanges() {}

    /**
     * The satisfiable ranges; null when the whole object is to be sent (no header, or one that is
     * not a valid byte range set, which Swift ignores); empty when none can be satisfied (416).
     */
    static List<Range> parse(String header, long size) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (!value.toLowerCase().startsWith("bytes=")) {
            return null;
        }
        List<Range> ranges = new ArrayList<>();
        for (String spec : value.substring(6).split(",")) {
            String s = spec.strip();
            int dash = s.indexOf('-');
            if (dash < 0) {
                return null;
            }
            String a = s.substring(0, dash).strip();
            String b = s.substring(dash + 1).strip();
            try {
                if (a.isEmpty()) {
                    if (b.isEmpty()) {
                        return null;
                    }
                    long suffix = Long.parseLong(b);
                    if (suffix > 0 && size > 0) {
                        ranges.add(new Range(Math.max(0, size - suffix), size - 1));
                    }
                } else {
                    long first = Long.parseLong(a);
                    long last = b.isEmpty() ? size - 1 : Long.parseLong(b);
                    if (last < first) {
                        return null;
                    }
                    if (first < size) {
                        ranges.add(new Range(first, Math.min(last, size - 1)));
                    }
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return ranges;
    }
}
