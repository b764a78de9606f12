package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;

/**
 * Neutron's query options, the same for every collection: attribute filters (repeated values mean
 * any of them), tag filters, sort_key/sort_dir, limit/marker/page_reverse and fields.
 */
public final class Listing {
    private static final Set<String> OPTIONS = Set.of("fields", "sort_key", "sort_dir", "limit", "marker",
            "page_reverse", "tags", "tags-any", "not-tags", "not-tags-any");

    /** The page, and whether items exist after it and before it (for next and previous links). */
    public record Page(List<ObjectNode> items, boolean more, boolean earlier) {}

    private Listing() {}

    public static Page apply(List<ObjectNode> all, Map<String, List<String>> query, int limit) {
        List<ObjectNode> items = new ArrayList<>(all.stream().filter(item -> matches(item, query)).toList());
        items.sort(order(query, all));
        boolean reverse = query.getOrDefault("page_reverse", List.of()).stream().anyMatch("true"::equalsIgnoreCase);
        String marker = first(query, "marker");
        int from = 0;
        int to = items.size();
        if (marker != null) {
            int at = indexOf(items, marker);
            if (at < 0) {
                throw ApiException.notFound("Marker %s could not be found.", marker);
            }
            if (reverse) {
                to = at;
            } else {
                from = at + 1;
            }
        }
        if (reverse) {
            from = Math.max(from, to - limit);
        } else {
            to = (int) Math.min(to, (long) from + limit);
        }
        return new Page(List.copyOf(items.subList(from, to)), to < items.size(), from > 0);
    }

    /** The item with only the requested fields, all of them when none are asked for. */
    public static ObjectNode fields(ObjectNode item, List<String> fields) {
        if (fields == null || fields.stream().allMatch(String::isBlank)) {
            return item;
        }
        ObjectNode selected = Json.object();
        for (String field : fields) {
            if (item.has(field)) {
                selected.set(field, item.get(field));
            }
        }
        return selected;
    }

    private static int indexOf(List<ObjectNode> items, String id) {
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).path("id").asText().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private static String first(Map<String, List<String>> query, String key) {
        List<String> values = query.get(key);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static boolean matches(ObjectNode item, Map<String, List<String>> query) {
        for (var filter : query.entrySet()) {
            String key = filter.getKey();
            if (OPTIONS.contains(key) || !item.has(key)) {
                continue;
            }
            if (filter.getValue().stream().noneMatch(wanted -> matches(item.get(key), wanted))) {
                return false;
            }
        }
        Set<String> tags = new HashSet<>();
        item.path("tags").forEach(t -> tags.add(t.asText()));
        return all(query, "tags").stream().allMatch(tags::contains)
                && (!query.containsKey("tags-any") || all(query, "tags-any").stream().anyMatch(tags::contains))
                && (!query.containsKey("not-tags") || !tags.containsAll(all(query, "not-tags")))
                && all(query, "not-tags-any").stream().noneMatch(tags::contains);
    }

    /** Tags of a tag filter: comma-separated, possibly over repeated parameters. */
    private static List<String> all(Map<String, List<String>> query, String key) {
        return query.getOrDefault(key, List.of()).stream().flatMap(v -> Arrays.stream(v.split(","))).filter(t -> !t.isEmpty()).toList();
    }

    /** A value matches its string form; a list matches when one member does ("k=v" for members that are objects). */
    private static boolean matches(JsonNode value, String wanted) {
        if (value.isArray()) {
            for (JsonNode member : value) {
                if (member.isObject()) {
                    String[] pair = wanted.split("=", 2);
                    if (pair.length == 2 && member.path(pair[0]).asText().equals(pair[1])) {
                        return true;
                    }
                } else if (matches(member, wanted)) {
                    return true;
                }
            }
            return false;
        }
        if (value.isBoolean()) {
            return value.asText().equalsIgnoreCase(wanted);
        }
        if (value.isNull()) {
            return wanted.isEmpty() || wanted.equals("None");
        }
        return value.asText().equals(wanted);
    }

    private static Comparator<ObjectNode> order(Map<String, List<String>> query, List<ObjectNode> all) {
        List<String> keys = query.getOrDefault("sort_key", List.of());
        List<String> dirs = query.getOrDefault("sort_dir", List.of());
        if (dirs.size() > keys.size()) {
            throw ApiException.badRequest("The number of sort_keys and sort_dirs must be same");
        }
        Comparator<ObjectNode> order = (a, b) -> 0;
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            if (!all.isEmpty() && !all.getFirst().has(key)) {
                throw ApiException.badRequest("%s is an invalid attribute for sort_keys", key);
            }
            String dir = i < dirs.size() ? dirs.get(i) : "asc";
            if (!dir.equals("asc") && !dir.equals("desc")) {
                throw ApiException.badRequest("%s is an invalid value for sort_dirs, valid values are 'asc' and 'desc'", dir);
            }
            Comparator<ObjectNode> byKey = Comparator.comparing(item -> item.get(key), Listing::compare);
            order = order.thenComparing(dir.equals("desc") ? byKey.reversed() : byKey);
        }
        return order.thenComparing(item -> item.path("id").asText());
    }

    private static int compare(JsonNode a, JsonNode b) {
        boolean aNull = a == null || a.isNull();
        boolean bNull = b == null || b.isNull();
        if (aNull || bNull) {
            return Boolean.compare(!aNull, !bNull);
        }
        if (a.isNumber() && b.isNumber()) {
            return Double.compare(a.asDouble(), b.asDouble());
        }
        return a.asText().compareTo(b.asText());
    }
}
