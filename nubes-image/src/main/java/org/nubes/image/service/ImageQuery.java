package org.nubes.image.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.nubes.core.http.ApiException;
import org.nubes.image.store.Image;

/**
 * The query of GET /v2/images: filters, sort keys with directions (sort_key/sort_dir, or
 * sort=key:dir,...), and marker/limit paging, with Glance's defaults and 400s.
 */
public record ImageQuery(
        Map<String, List<String>> filters,
        String visibility,
        String memberStatus,
        Boolean hidden,
        List<Comparator<Image>> sort,
        String marker,
        int limit) {

    static final int DEFAULT_LIMIT = 25;
    static final int MAX_LIMIT = 1000;
    static final List<String> SORT_KEYS = List.of("name", "status", "container_format", "disk_format", "size",
            "id", "created_at", "updated_at");
    private static final Set<String> NOT_FILTERS = Set.of("limit", "marker", "sort", "sort_key", "sort_dir",
            "visibility", "member_status", "os_hidden");
    private static final List<String> MEMBER_STATUSES = List.of("pending", "accepted", "rejected", "all");

    public static ImageQuery parse(Map<String, List<String>> params) {
        String visibility = first(params, "visibility");
        if (visibility != null && !visibility.equals("all") && !ImageFields.VISIBILITIES.contains(visibility)) {
            throw ApiException.badRequest("Invalid visibility value: %s", visibility);
        }
        String memberStatus = first(params, "member_status");
        if (memberStatus == null) {
            memberStatus = "accepted";
        } else if (!MEMBER_STATUSES.contains(memberStatus)) {
            throw ApiException.badRequest("Invalid status value: %s", memberStatus);
        }
        String hiddenText = first(params, "os_hidden");
        Boolean hidden = hiddenText == null ? Boolean.FALSE : bool("os_hidden", hiddenText);
        int limit = DEFAULT_LIMIT;
        String limitText = first(params, "limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit param must be an integer");
            }
            if (limit < 0) {
                throw ApiException.badRequest("limit param must be positive");
            }
        }
        Map<String, List<String>> filters = new java.util.LinkedHashMap<>();
        params.forEach((k, v) -> {
            if (!NOT_FILTERS.contains(k)) {
                filters.put(k, v);
            }
        });
        for (String key : List.of("size_min", "size_max", "min_disk", "min_ram")) {
            if (filters.containsKey(key)) {
                number(key, filters.get(key).getFirst());
            }
        }
        if (filters.containsKey("protected")) {
            bool("protected", filters.get("protected").getFirst());
        }
        return new ImageQuery(filters, visibility, memberStatus, hidden, sort(params), first(params, "marker"),
                Math.min(limit, MAX_LIMIT));
    }

    /** Whether the image passes every filter. */
    boolean matches(Image image) {
        if (hidden != null && image.meta().hidden() != hidden) {
            return false;
        }
        for (var filter : filters.entrySet()) {
            for (String wanted : filter.getValue()) {
                if (!matches(image, filter.getKey(), wanted)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean matches(Image image, String key, String wanted) {
        var m = image.meta();
        return switch (key) {
            case "tag" -> m.tags().contains(wanted);
            case "size_min" -> image.size() != null && image.size() >= number(key, wanted);
            case "size_max" -> image.size() != null && image.size() <= number(key, wanted);
            case "protected" -> m.isProtected() == bool(key, wanted);
            case "min_disk" -> m.minDisk() == number(key, wanted);
            case "min_ram" -> m.minRam() == number(key, wanted);
            default -> oneOf(wanted, switch (key) {
                case "name" -> m.name();
                case "status" -> image.status();
                case "owner" -> m.owner();
                case "id" -> image.id();
                case "container_format" -> m.containerFormat();
                case "disk_format" -> m.diskFormat();
                case "checksum" -> image.checksum();
                case "os_hash_value" -> image.hashValue();
                default -> m.properties().get(key);
            });
        };
    }

    /** Glance's "in:a,b" operator, or plain equality. */
    private static boolean oneOf(String wanted, String actual) {
        if (actual == null) {
            return false;
        }
        if (wanted.startsWith("in:")) {
            return List.of(wanted.substring(3).split(",")).contains(actual);
        }
        return wanted.equals(actual);
    }

    Comparator<Image> comparator() {
        Comparator<Image> result = sort.getFirst();
        for (Comparator<Image> next : sort.subList(1, sort.size())) {
            result = result.thenComparing(next);
        }
        return result.thenComparing(Image::id, Comparator.reverseOrder());
    }

    private static List<Comparator<Image>> sort(Map<String, List<String>> params) {
        List<String> keys = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        String sort = first(params, "sort");
        if (sort != null) {
            if (params.containsKey("sort_key") || params.containsKey("sort_dir")) {
                throw ApiException.badRequest("The 'sort' parameter cannot be combined with 'sort_key' or 'sort_dir'.");
            }
            for (String part : sort.split(",")) {
                String[] kd = part.strip().split(":");
                keys.add(kd[0].strip());
                dirs.add(kd.length > 1 ? kd[1].strip() : "desc");
            }
        } else {
            keys.addAll(params.getOrDefault("sort_key", List.of()).stream()
                    .flatMap(k -> List.of(k.split(",")).stream()).map(String::strip).toList());
            dirs.addAll(params.getOrDefault("sort_dir", List.of()).stream()
                    .flatMap(k -> List.of(k.split(",")).stream()).map(String::strip).toList());
            if (keys.isEmpty()) {
                keys.add("created_at");
            }
            if (dirs.size() > 1 && dirs.size() != keys.size()) {
                throw ApiException.badRequest("Number of sort dirs does not match the number of sort keys");
            }
        }
        List<Comparator<Image>> comparators = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            String dir = dirs.isEmpty() ? "desc" : dirs.get(Math.min(i, dirs.size() - 1));
            if (!SORT_KEYS.contains(key)) {
                throw ApiException.badRequest("Invalid sort key: %s. It must be one of the following: %s.",
                        key, String.join(", ", SORT_KEYS));
            }
            if (!dir.equals("asc") && !dir.equals("desc")) {
                throw ApiException.badRequest("Invalid sort direction: %s", dir);
            }
            Comparator<Image> c = Comparator.comparing(extractor(key), Comparator.nullsFirst(Comparator.naturalOrder()));
            comparators.add(dir.equals("asc") ? c : c.reversed());
        }
        return comparators;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Function<Image, Comparable> extractor(String key) {
        return switch (key) {
            case "name" -> i -> i.meta().name();
            case "status" -> Image::status;
            case "container_format" -> i -> i.meta().containerFormat();
            case "disk_format" -> i -> i.meta().diskFormat();
            case "size" -> Image::size;
            case "id" -> Image::id;
            case "updated_at" -> Image::updatedAt;
            default -> Image::createdAt;
        };
    }

    private static String first(Map<String, List<String>> params, String key) {
        List<String> values = params.get(key);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static long number(String key, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Invalid value for %s: '%s' is not an integer.", key, text);
        }
    }

    private static boolean bool(String key, String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw ApiException.badRequest("Invalid value for %s: '%s' is not a boolean.", key, text);
        };
    }
}
