package org.nubes.objectstore.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.nubes.core.json.Json;
import org.nubes.objectstore.disk.ObjectMeta;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.service.Objects;
import org.nubes.objectstore.service.SwiftError;
import org.nubes.objectstore.store.ListingQuery;
import org.nubes.objectstore.store.ListingStore;
import org.nubes.objectstore.store.ObjectRow;

/**
 * Swift's large objects: static ones (the slo middleware: a JSON manifest of segments checked when
 * it is written) and dynamic ones (the dlo middleware: every object of a container under a prefix,
 * found when read). Both are served as the concatenation of their segments, read one at a time.
 *
 * <p>An SLO manifest is stored as an ordinary object whose data is the manifest in Swift's stored
 * form ({@code [{"name": "/c/o", "hash", "bytes", "content_type", "last_modified"}]}), marked by
 * X-Static-Large-Object and two sysmeta keys (the SLO's etag and size), which are never shown.
 */
final class LargeObjects {
    static final String SLO = "X-Static-Large-Object";
    static final String SLO_ETAG = "X-Object-Sysmeta-Slo-Etag";
    static final String SLO_SIZE = Objects.SLO_SIZE;
    static final String DLO = "X-Object-Manifest";
    static final String SYSMETA = "X-Object-Sysmeta-";
    static final int MAX_MANIFEST_SEGMENTS = 1000;
    static final int MAX_MANIFEST_SIZE = 8 * 1024 * 1024;
    static final int DLO_MAX_SEGMENTS = 10000;
    /** How deep SLOs may nest in SLOs, as Swift's default. */
    static final int MAX_NESTING = 10;

    /**
     * One segment of a large object, as read. A sub-SLO segment is another SLO's manifest: its size
     * and etag are that SLO's (the sum of its segments, the etag a HEAD of it shows).
     */
    record Segment(String container, String name, long size, String etag, String contentType, String lastModified,
            boolean subSlo) {}

    /** The bytes of a range of what a GET serves. */
    interface Source {
        InputStream stream(long first, long length) throws IOException;
    }

    /** What a GET of an object serves: its size, Etag header, content type and bytes. */
    record Content(long size, String etag, String contentType, Source source) {
        /** The etag without quotes, for If-Match and If-None-Match. */
        String bareEtag() {
            return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
        }
    }

    private final ObjectApi api;
    private final ListingStore listings;
    private final Objects objects;

    LargeObjects(ObjectApi api, ListingStore listings, Objects objects) {
        this.api = api;
        this.listings = listings;
        this.objects = objects;
    }

    static boolean isSlo(ObjectMeta meta) {
        return "true".equalsIgnoreCase(meta.metadata().get(SLO));
    }

    static boolean isDlo(ObjectMeta meta) {
        return meta.metadata().containsKey(DLO);
    }

    /** The metadata a client may see: everything but sysmeta. */
    static Map<String, String> visible(Map<String, String> metadata) {
        Map<String, String> shown = new TreeMap<>(metadata);
        shown.keySet().removeIf(k -> k.startsWith(SYSMETA));
        return shown;
    }

    /**
     * The metadata that is not the client's X-Object-Meta-* (kept across a POST and a copy of a
     * manifest). It includes the expiry time, which {@link Headers#expiry} then sets anew.
     */
    static Map<String, String> system(Map<String, String> metadata) {
        Map<String, String> kept = new TreeMap<>(metadata);
        kept.keySet().removeIf(k -> k.startsWith("X-Object-Meta-"));
        return kept;
    }

    /**
     * What a GET of the opened object serves: the concatenated segments of a large object (unless
     * the manifest itself is asked for with multipart-manifest=get), else the object's own data.
     */
    Content content(Context ctx, String account, Replicas.Opened opened) throws IOException {
        ObjectMeta meta = opened.meta();
        boolean manifest = "get".equals(ctx.queryParam("multipart-manifest"));
        if (isSlo(meta) && !manifest) {
            List<Segment> segments = manifest(opened);
            long size = segments.stream().mapToLong(Segment::size).sum();
            return new Content(size, "\"" + etagOf(segments) + "\"", meta.contentType(), sloSource(account, segments));
        }
        if (isSlo(meta)) {
            byte[] body = readAll(opened);
            if ("raw".equals(ctx.queryParam("format"))) {
                ArrayNode raw = Json.array();
                for (Segment s : manifest(opened)) {
                    raw.addObject().put("path", "/" + s.container() + "/" + s.name()).put("etag", s.etag()).put("size_bytes", s.size());
                }
                body = Json.bytes(raw);
            }
            byte[] bytes = body;
            return new Content(bytes.length, meta.etag(), "application/json; charset=utf-8",
                    (first, length) -> new ByteArrayInputStream(bytes, (int) first, (int) length));
        }
        if (isDlo(meta) && !manifest) {
            List<Segment> segments = dloSegments(ctx, account, meta.metadata().get(DLO));
            long size = segments.stream().mapToLong(Segment::size).sum();
            return new Content(size, "\"" + etagOf(segments) + "\"", meta.contentType(),
                    (first, length) -> concat(account, segments, first, length));
        }
        return new Content(meta.contentLength(), meta.etag(), meta.contentType(), opened::stream);
    }

    /**
     * The bytes of an SLO of those segments: its sub-SLOs are resolved on the first read, once for
     * all the ranges of a request, so that what reads none (HEAD, 304, 412) does not open them.
     */
    private Source sloSource(String account, List<Segment> segments) {
        return new Source() {
            private List<Segment> data;

            @Override
            public InputStream stream(long first, long length) throws IOException {
                if (data == null) {
                    data = dataSegments(account, segments, 1);
                }
                return concat(account, data, first, length);
            }
        };
    }

    /** X-Object-Manifest's value checked: container/prefix, 400 otherwise. */
    static String checkDlo(String value) {
        String v = value.strip();
        String decoded = Headers.percentDecode(v);
        int slash = decoded.indexOf('/');
        if (decoded.startsWith("/") || slash <= 0) {
            throw SwiftError.text(400, "X-Object-Manifest must be in the format container/prefix");
        }
        return v;
    }

    private List<Segment> dloSegments(Context ctx, String account, String value) {
        String decoded = Headers.percentDecode(value);
        int slash = decoded.indexOf('/');
        String container = decoded.substring(0, slash);
        String prefix = decoded.substring(slash + 1);
        api.readable(ctx, account, container);
        List<Segment> segments = new ArrayList<>();
        String marker = null;
        while (segments.size() < DLO_MAX_SEGMENTS) {
            List<ObjectRow> rows = listings.objects(account, container, new ListingQuery(prefix, marker, null, 1000, false));
            for (ObjectRow row : rows) {
                segments.add(new Segment(container, row.name(), row.size(), row.etag(), row.contentType(), row.lastModified(), false));
            }
            if (rows.size() < 1000) {
                break;
            }
            marker = rows.getLast().name();
        }
        return segments;
    }

    /** The segments of a stored SLO manifest. */
    static List<Segment> manifest(Replicas.Opened opened) throws IOException {
        JsonNode stored = Json.parse(readAll(opened));
        List<Segment> segments = new ArrayList<>();
        for (JsonNode s : stored) {
            String path = s.path("name").asText();
            String[] parts = splitPath(path);
            segments.add(new Segment(parts[0], parts[1], s.path("bytes").asLong(), s.path("hash").asText(),
                    s.path("content_type").asText(null), s.path("last_modified").asText(null), s.path("sub_slo").asBoolean(false)));
        }
        return segments;
    }

    /**
     * The segments holding data, with each sub-SLO replaced by its own segments (depth: this
     * manifest's nesting, 1 at the top). 409 when a sub-SLO is no longer the one the manifest names.
     */
    private List<Segment> dataSegments(String account, List<Segment> segments, int depth) throws IOException {
        if (segments.stream().noneMatch(Segment::subSlo)) {
            return segments;
        }
        if (depth >= MAX_NESTING) {
            throw SwiftError.text(409, "Max recursion depth exceeded on segment " + MAX_NESTING);
        }
        List<Segment> data = new ArrayList<>();
        for (Segment s : segments) {
            if (s.subSlo()) {
                data.addAll(dataSegments(account, subManifest(account, s), depth + 1));
            } else {
                data.add(s);
            }
        }
        return data;
    }

    /** The segments of the SLO a sub-SLO segment names, which must still be that SLO. */
    private List<Segment> subManifest(String account, Segment s) throws IOException {
        try (Replicas.Opened sub = objects.open(account, s.container(), s.name())
                .orElseThrow(() -> SwiftError.text(409, "Sub-SLO /" + s.container() + "/" + s.name() + " is gone"))) {
            if (!isSlo(sub.meta()) || !s.etag().equalsIgnoreCase(sub.meta().metadata().get(SLO_ETAG))) {
                throw SwiftError.text(409, "Sub-SLO /" + s.container() + "/" + s.name() + " changed");
            }
            return manifest(sub);
        }
    }

    private static byte[] readAll(Replicas.Opened opened) throws IOException {
        try (InputStream in = opened.stream(0, opened.meta().contentLength())) {
            return in.readAllBytes();
        }
    }

    /** "/container/object" (leading slash optional) as {container, object}; null when not of that form. */
    private static String[] splitPath(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        int slash = p.indexOf('/');
        if (slash <= 0 || slash == p.length() - 1) {
            return null;
        }
        return new String[] {p.substring(0, slash), p.substring(slash + 1)};
    }

    /** Swift's etag of a large object: the md5 of its segments' etags, concatenated. */
    static String etagOf(List<Segment> segments) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            for (Segment s : segments) {
                md5.update(s.etag().getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- PUT ?multipart-manifest=put

    /**
     * Checks a manifest in the client's form ({@code [{"path", "etag", "size_bytes"}]}) against the
     * segments as stored and writes it; 400 with Swift's "Errors:" body listing every bad segment.
     */
    ObjectMeta putManifest(Context ctx, String account, String container, String name, String contentType,
            Map<String, String> metadata, long quotaLeft) throws IOException {
        byte[] body = ctx.req().getInputStream().readNBytes(MAX_MANIFEST_SIZE + 1);
        if (body.length > MAX_MANIFEST_SIZE) {
            throw SwiftError.text(413, "Manifest File > " + MAX_MANIFEST_SIZE + " bytes");
        }
        JsonNode parsed;
        try {
            parsed = Json.parse(body);
        } catch (RuntimeException e) {
            throw SwiftError.text(400, "Manifest must be valid JSON.\n");
        }
        if (parsed == null || !parsed.isArray()) {
            throw SwiftError.text(400, "Manifest must be a list.\n");
        }
        if (parsed.isEmpty()) {
            throw SwiftError.text(400, "Manifest must have at least one segment.\n");
        }
        if (parsed.size() > MAX_MANIFEST_SEGMENTS) {
            throw SwiftError.text(413, "Too many segments in manifest; max " + MAX_MANIFEST_SEGMENTS + "\n");
        }
        List<String> errors = new ArrayList<>();
        List<Segment> segments = new ArrayList<>();
        int index = 0;
        for (JsonNode entry : parsed) {
            index++;
            if (!entry.isObject() || !entry.path("path").isTextual()) {
                errors.add("Index " + (index - 1) + ": \"path\" must be a string");
                continue;
            }
            String path = entry.get("path").asText();
            String[] parts = splitPath(path);
            if (parts == null) {
                errors.add("Index " + (index - 1) + ": \"path\" must be of the form /container/object");
                continue;
            }
            JsonNode etag = entry.get("etag");
            JsonNode size = entry.get("size_bytes");
            if (size != null && !size.isNull() && !size.canConvertToLong()) {
                errors.add("Index " + (index - 1) + ": \"size_bytes\" must be an integer; got " + size);
                continue;
            }
            try {
                api.readable(ctx, account, parts[0]);
            } catch (SwiftError e) {
                errors.add(path + ", " + e.status() + " " + SwiftError.title(e.status()));
                continue;
            }
            Optional<ObjectMeta> found = objects.head(account, parts[0], parts[1]);
            if (found.isEmpty()) {
                errors.add(path + ", 404 Not Found");
                continue;
            }
            ObjectMeta seg = found.get();
            if (isDlo(seg)) {
                errors.add(path + ", Dynamic large objects may not be segments here");
                continue;
            }
            // An SLO may be a segment of another: its size and etag are the ones a HEAD of it shows.
            boolean subSlo = isSlo(seg);
            long segSize = subSlo ? Long.parseLong(seg.metadata().get(SLO_SIZE)) : seg.contentLength();
            String segEtag = subSlo ? seg.metadata().get(SLO_ETAG) : seg.etag();
            boolean bad = false;
            if (etag != null && !etag.isNull() && !unquote(etag.asText()).equalsIgnoreCase(segEtag)) {
                errors.add(path + ", Etag Mismatch");
                bad = true;
            }
            if (size != null && !size.isNull() && size.asLong() != segSize) {
                errors.add(path + ", Size Mismatch");
                bad = true;
            }
            if (segSize < 1 && index < parsed.size()) {
                errors.add(path + ", Too small; each segment must be at least 1 byte.");
                bad = true;
            }
            if (!bad) {
                segments.add(new Segment(parts[0], parts[1], segSize, segEtag, seg.contentType(), Timestamp(seg), subSlo));
            }
        }
        if (!errors.isEmpty()) {
            throw SwiftError.text(400, "Errors:\n" + String.join("\n", errors));
        }
        String sloEtag = etagOf(segments);
        String expected = ctx.header("ETag");
        if (expected != null && !expected.isBlank() && !unquote(expected).equalsIgnoreCase(sloEtag)) {
            throw SwiftError.of(422);
        }
        ArrayNode stored = Json.array();
        for (Segment s : segments) {
            ObjectNode node = stored.addObject();
            node.put("name", "/" + s.container() + "/" + s.name());
            node.put("hash", s.etag());
            node.put("bytes", s.size());
            node.put("content_type", s.contentType());
            node.put("last_modified", s.lastModified());
            if (s.subSlo()) {
                node.put("sub_slo", true);
            }
        }
        Map<String, String> marked = new TreeMap<>(metadata);
        marked.remove(DLO);
        marked.put(SLO, "True");
        marked.put(SLO_ETAG, sloEtag);
        marked.put(SLO_SIZE, Long.toString(segments.stream().mapToLong(Segment::size).sum()));
        long total = segments.stream().mapToLong(Segment::size).sum();
        if (total > quotaLeft) {
            throw SwiftError.text(413, "Upload exceeds quota.");
        }
        return objects.put(account, container, name, new ByteArrayInputStream(Json.bytes(stored)),
                new Objects.PutRequest(contentType, null, marked));
    }

    private static String Timestamp(ObjectMeta meta) {
        return java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                java.time.LocalDateTime.ofEpochSecond(meta.time().ceilSeconds(), 0, java.time.ZoneOffset.UTC)) + ".000000";
    }

    private static String unquote(String etag) {
        String e = etag.strip();
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }

    // ---- DELETE ?multipart-manifest=delete

    /**
     * Deletes an SLO's segments and then the manifest, answering as Swift's bulk delete does
     * (text/plain, or JSON when the client accepts it).
     */
    void deleteManifest(Context ctx, String account, String container, String name) throws IOException {
        int deleted = 0;
        int notFound = 0;
        List<List<String>> errors = new ArrayList<>();
        Optional<Replicas.Opened> found = objects.open(account, container, name);
        List<Segment> segments = new ArrayList<>();
        if (found.isPresent()) {
            try (Replicas.Opened opened = found.get()) {
                if (isSlo(opened.meta())) {
                    addForDelete(account, manifest(opened), segments, 1);
                }
            }
        }
        for (Segment s : segments) {
            try {
                api.writable(ctx, account, s.container());
                objects.delete(account, s.container(), s.name());
                deleted++;
            } catch (SwiftError e) {
                if (e.status() == 404) {
                    notFound++;
                } else {
                    errors.add(List.of("/" + s.container() + "/" + s.name(), e.status() + " " + SwiftError.title(e.status())));
                }
            }
        }
        try {
            objects.delete(account, container, name);
            deleted++;
        } catch (SwiftError e) {
            if (e.status() != 404) {
                throw e;
            }
            notFound++;
        }
        String status = errors.isEmpty() ? "200 OK" : "400 Bad Request";
        String accept = ctx.header("Accept");
        if (accept != null && accept.contains("application/json")) {
            ObjectNode body = Json.object();
            body.put("Number Deleted", deleted);
            body.put("Number Not Found", notFound);
            body.put("Response Body", "");
            body.put("Response Status", status);
            ArrayNode list = body.putArray("Errors");
            errors.forEach(e -> list.addArray().add(e.get(0)).add(e.get(1)));
            byte[] bytes = Json.bytes(body);
            ctx.status(200).contentType("application/json; charset=utf-8");
            ctx.header("Content-Length", Integer.toString(bytes.length));
            SwiftApi.body(ctx, bytes);
            return;
        }
        StringBuilder text = new StringBuilder();
        text.append("Number Deleted: ").append(deleted).append('\n');
        text.append("Number Not Found: ").append(notFound).append('\n');
        text.append("Response Body: \n");
        text.append("Response Status: ").append(status).append('\n');
        text.append("Errors: \n");
        errors.forEach(e -> text.append(e.get(0)).append(", ").append(e.get(1)).append('\n'));
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        ctx.status(200).contentType("text/plain; charset=utf-8");
        ctx.header("Content-Length", Integer.toString(bytes.length));
        SwiftApi.body(ctx, bytes);
    }

    /** The segments to delete with an SLO, depth first: a sub-SLO's segments, then the sub-SLO. */
    private void addForDelete(String account, List<Segment> manifest, List<Segment> into, int depth) throws IOException {
        for (Segment s : manifest) {
            if (s.subSlo() && depth < MAX_NESTING) {
                try {
                    addForDelete(account, subManifest(account, s), into, depth + 1);
                } catch (SwiftError e) {
                    // a sub-SLO gone or replaced: only the named object itself is deleted
                }
            }
            into.add(s);
        }
    }

    // ---- reading segments

    /** The bytes [first, first + length) of the segments' concatenation, opening one segment at a time. */
    private InputStream concat(String account, List<Segment> segments, long first, long length) {
        return new InputStream() {
            private int index;
            private long skip = first;
            private long left = length;
            private Replicas.Opened opened;
            private InputStream current;

            private boolean advance() throws IOException {
                closeCurrent();
                while (index < segments.size() && left > 0) {
                    Segment s = segments.get(index++);
                    if (skip >= s.size()) {
                        skip -= s.size();
                        continue;
                    }
                    long n = Math.min(s.size() - skip, left);
                    opened = objects.open(account, s.container(), s.name())
                            .orElseThrow(() -> new IOException("segment /" + s.container() + "/" + s.name() + " is gone"));
                    if (!opened.meta().etag().equalsIgnoreCase(s.etag())) {
                        throw new IOException("segment /" + s.container() + "/" + s.name() + " changed");
                    }
                    current = opened.stream(skip, n);
                    skip = 0;
                    left -= n;
                    return true;
                }
                return false;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (true) {
                    if (current == null && !advance()) {
                        return -1;
                    }
                    int n = current.read(b, off, len);
                    if (n >= 0) {
                        return n;
                    }
                    closeCurrent();
                }
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            private void closeCurrent() throws IOException {
                if (current != null) {
                    current.close();
                    current = null;
                }
                if (opened != null) {
                    opened.close();
                    opened = null;
                }
            }

            @Override
            public void close() throws IOException {
                closeCurrent();
            }
        };
    }
}
