package org.nubes.objectstore.service;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.nubes.objectstore.store.ListingQuery;

/**
 * Swift's listing semantics over a sorted store: prefix, marker, end_marker, limit, reverse, and a
 * delimiter that folds every name with the delimiter after the prefix into one "subdir" entry.
 * In reverse, marker bounds from above and end_marker from below, as in Swift.
 */
public final class Listing {
    private Listing() {}

    /** An item, or a subdir (item null). */
    public record Entry<T>(T item, String subdir) {}

    public static <T> List<Entry<T>> page(Function<ListingQuery, List<T>> fetch, Function<T, String> nameOf,
            String prefix, String delimiter, String marker, String endMarker, int limit, boolean reverse) {
        String p = prefix == null ? "" : prefix;
        String lower = reverse ? endMarker : marker;
        String upper = reverse ? marker : endMarker;
        List<Entry<T>> result = new ArrayList<>();
        String lastSubdir = null;
        while (result.size() < limit) {
            int asked = limit - result.size();
            List<T> rows = fetch.apply(new ListingQuery(p, lower, upper, asked, reverse));
            if (rows.isEmpty()) {
                break;
            }
            String skipped = null;
            for (T row : rows) {
                String name = nameOf.apply(row);
                int at = delimiter == null || delimiter.isEmpty() ? -1 : name.indexOf(delimiter, p.length());
                if (at < 0) {
                    result.add(new Entry<>(row, null));
                    if (reverse) {
                        upper = name;
                    } else {
                        lower = name;
                    }
                    continue;
                }
                String subdir = name.substring(0, at + delimiter.length());
                if (subdir.equals(lastSubdir)) {
                    // A name the bound did not skip (beyond the largest code point's sort place): step past it.
                    if (reverse) {
                        upper = name;
                    } else {
                        lower = name;
                    }
                    continue;
                }
                lastSubdir = subdir;
                result.add(new Entry<>(null, subdir));
                skipped = subdir;
                break;
            }
            if (skipped != null) {
                // Skip every name under the subdir, then ask the store again.
                if (reverse) {
                    upper = skipped;
                } else {
                    lower = afterAll(skipped);
                }
            } else if (rows.size() < asked) {
                break;
            }
        }
        return result;
    }

    /** A marker greater than every name that starts with prefix (exclusive bound). */
    static String afterAll(String prefix) {
        // Names starting with prefix sort below prefix + the largest code point.
        return prefix + new String(Character.toChars(Character.MAX_CODE_POINT));
    }
}
