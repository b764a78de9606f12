package org.nubes.objectstore.api;

import io.javalin.http.Context;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.nubes.objectstore.disk.ObjectMeta;
import org.nubes.objectstore.service.SwiftError;

/** Reading and checking Swift's metadata headers (X-{Account,Container,Object}-Meta-*). */
final class Headers {
    static final int MAX_META_NAME = 128;
    static final int MAX_META_VALUE = 256;
    static final int MAX_META_COUNT = 90;
    static final int MAX_META_OVERALL = 4096;

    private Headers() {}

    /**
     * The metadata after applying the request's headers of the kind ("Container", "Account",
     * "Object") to the current metadata: a value sets, an empty value or X-Remove-*-Meta-* removes.
     * With replace, the current metadata is dropped first (object PUT and POST).
     */
    static Map<String, String> metadata(Context ctx, String kind, Map<String, String> current, boolean replace) {
        String set = ("x-" + kind + "-meta-").toLowerCase(Locale.ROOT);
        String remove = ("x-remove-" + kind + "-meta-").toLowerCase(Locale.ROOT);
        Map<String, String> result = new TreeMap<>(replace ? Map.of() : current);
        for (String header : ctx.req().getHeaderNames() == null ? java.util.List.<String>of() : java.util.Collections.list(ctx.req().getHeaderNames())) {
            String lower = header.toLowerCase(Locale.ROOT);
            String value = ctx.req().getHeader(header);
            if (lower.startsWith(set) && lower.length() > set.length()) {
                String name = titleCase(lower);
                if (value == null || value.isBlank()) {
                    result.remove(name);
                } else {
                    result.put(name, value.strip());
                }
            } else if (lower.startsWith(remove) && lower.length() > remove.length()) {
                result.remove(titleCase("x-" + kind.toLowerCase(Locale.ROOT) + "-meta-" + lower.substring(remove.length())));
            }
        }
        check(result, set.length());
        return result;
    }

    /**
     * Sets an object's expiry time to the one the request asks for: X-Delete-At (a Unix time) or
     * X-Delete-After (seconds from now, which becomes an X-Delete-At); without either, none. Every
     * write (PUT, POST, copy) sets its own, as in Swift, so this is applied last to the metadata the
     * write stores, whatever it kept of the old. 400 with Swift's message when either is not an
     * integer or lies in the past.
     */
    static Map<String, String> expiry(Context ctx, Map<String, String> metadata) {
        metadata.remove(ObjectMeta.DELETE_AT);
        String at = ctx.header(ObjectMeta.DELETE_AT);
        String after = ctx.header("X-Delete-After");
        double now = System.currentTimeMillis() / 1000.0;
        Long deleteAt = null;
        if (after != null && !after.isBlank()) {
            long seconds = integer(after, "Non-integer X-Delete-After");
            if (seconds < 0) {
                throw SwiftError.text(400, "X-Delete-After in past");
            }
            deleteAt = (long) (now + seconds);
        } else if (at != null && !at.isBlank()) {
            deleteAt = integer(at, "Non-integer X-Delete-At");
        }
        if (deleteAt != null) {
            if (deleteAt < now) {
                throw SwiftError.text(400, "X-Delete-At in past");
            }
            metadata.put(ObjectMeta.DELETE_AT, Long.toString(deleteAt));
        }
        return metadata;
    }

    private static long integer(String value, String message) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw SwiftError.text(400, message);
        }
    }

    /** Swift's limits on metadata; 400 with Swift's message when one is passed. */
    private static void check(Map<String, String> metadata, int prefixLength) {
        int overall = 0;
        for (var e : metadata.entrySet()) {
            String key = e.getKey().substring(prefixLength);
            if (key.length() > MAX_META_NAME) {
                throw SwiftError.text(400, "Metadata name too long: " + e.getKey() + "; max " + MAX_META_NAME);
            }
            if (e.getValue().length() > MAX_META_VALUE) {
                throw SwiftError.text(400, "Metadata value longer than " + MAX_META_VALUE + ": " + e.getKey());
            }
            overall += key.length() + e.getValue().length();
        }
        if (metadata.size() > MAX_META_COUNT) {
            throw SwiftError.text(400, "Too many metadata items; max " + MAX_META_COUNT);
        }
        if (overall > MAX_META_OVERALL) {
            throw SwiftError.text(400, "Total metadata too large; max " + MAX_META_OVERALL);
        }
    }

    /** x-object-meta-color → X-Object-Meta-Color, the form Swift stores and answers. */
    static String titleCase(String header) {
        StringBuilder out = new StringBuilder(header.length());
        boolean upper = true;
        for (char c : header.toCharArray()) {
            out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return out.toString();
    }

    static void putAll(Context ctx, Map<String, String> metadata) {
        metadata.forEach(ctx::header);
    }

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    static String httpDate(long epochSeconds) {
        return HTTP_DATE.format(Instant.ofEpochSecond(epochSeconds));
    }

    /** An HTTP date in seconds, or null when absent or not a date (Swift ignores those). */
    static Long parseHttpDate(String value) {
        if (value == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Decodes %XX escapes as UTF-8 (and, unlike form decoding, leaves '+' alone); 400 on a bad escape. */
    static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        byte[] in = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%') {
                if (i + 2 >= in.length || !HexFormat.isHexDigit(in[i + 1]) || !HexFormat.isHexDigit(in[i + 2])) {
                    throw SwiftError.text(400, "Invalid percent-encoding in " + text);
                }
                out.write(HexFormat.fromHexDigit(in[i + 1]) << 4 | HexFormat.fromHexDigit(in[i + 2]));
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
