package org.nubes.objectstore.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.nubes.objectstore.ObjectStoreConfig;
import org.nubes.objectstore.disk.ObjectMeta;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.service.Objects;
import org.nubes.objectstore.service.SwiftError;
import org.nubes.objectstore.store.ContainerRow;
import org.nubes.objectstore.store.ListingStore;

/** Object GET, HEAD, PUT (and copy with X-Copy-From), POST and DELETE. */
final class ObjectApi {
    static final int MAX_OBJECT_NAME = 1024;
    static final int MAX_CONTAINER_NAME = 256;
    private static final int BUFFER = 64 * 1024;

    private final SwiftApi swift;
    private final ListingStore listings;
    private final Objects objects;
    private final ObjectStoreConfig config;

    ObjectApi(SwiftApi swift, ListingStore listings, Objects objects, ObjectStoreConfig config) {
        this.swift = swift;
        this.listings = listings;
        this.objects = objects;
        this.config = config;
    }

    private static String objectName(Context ctx) {
        String name = ctx.pathParam("object");
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_OBJECT_NAME) {
            throw SwiftError.text(400, "Object name length of %d longer than %d".formatted(length, MAX_OBJECT_NAME));
        }
        return name;
    }

    /** The container after the read check (404 only to those allowed to know). */
    private ContainerRow readable(Context ctx, String account, String container) {
        ContainerRow row = listings.container(account, container).orElse(null);
        swift.requireRead(ctx, account, row, false);
        if (row == null) {
            throw SwiftError.of(404);
        }
        return row;
    }

    private ContainerRow writable(Context ctx, String account, String container) {
        ContainerRow row = listings.container(account, container).orElse(null);
        swift.requireWrite(ctx, account, row);
        if (row == null) {
            throw SwiftError.of(404);
        }
        return row;
    }

    // ---- GET and HEAD

    void get(Context ctx) throws IOException {
        String account = SwiftApi.account(ctx);
        String container = SwiftApi.containerName(ctx);
        String name = objectName(ctx);
        readable(ctx, account, container);
        boolean head = ctx.method().name().equals("HEAD");
        try (Replicas.Opened opened = objects.open(account, container, name).orElseThrow(() -> SwiftError.of(404))) {
            ObjectMeta meta = opened.meta();
            describe(ctx, meta);
            Integer condition = conditional(ctx, meta);
            if (condition != null) {
                if (condition == 304) {
                    ctx.status(304);
                    ctx.res().setHeader("Content-Length", null);
                    return;
                }
                throw SwiftError.of(412).header("Etag", meta.etag());
            }
            long size = meta.contentLength();
            List<ByteRanges.Range> ranges = head ? null : ByteRanges.parse(ctx.header("Range"), size);
            if (ranges != null && ranges.isEmpty()) {
                throw SwiftError.of(416).header("Content-Range", "bytes */" + size);
            }
            var res = ctx.res();
            if (ranges == null) {
                res.setStatus(200);
                res.setContentType(meta.contentType());
                res.setHeader("Content-Length", Long.toString(size));
                if (!head) {
                    copy(opened.stream(0, size), res.getOutputStream());
                }
            } else if (ranges.size() == 1) {
                ByteRanges.Range range = ranges.getFirst();
                res.setStatus(206);
                res.setContentType(meta.contentType());
                res.setHeader("Content-Range", "bytes %d-%d/%d".formatted(range.first(), range.last(), size));
                res.setHeader("Content-Length", Long.toString(range.length()));
                copy(opened.stream(range.first(), range.length()), res.getOutputStream());
            } else {
                multipart(ctx, opened, meta, ranges);
            }
        }
    }

    /** Several ranges as multipart/byteranges, each part with its own Content-Type and Content-Range. */
    private static void multipart(Context ctx, Replicas.Opened opened, ObjectMeta meta, List<ByteRanges.Range> ranges) throws IOException {
        byte[] random = new byte[16];
        ThreadLocalRandom.current().nextBytes(random);
        String boundary = HexFormat.of().formatHex(random);
        long size = meta.contentLength();
        List<byte[]> heads = ranges.stream().map(r -> ("--" + boundary + "\r\nContent-Type: " + meta.contentType()
                + "\r\nContent-Range: bytes " + r.first() + "-" + r.last() + "/" + size + "\r\n\r\n").getBytes(StandardCharsets.UTF_8)).toList();
        byte[] end = ("--" + boundary + "--").getBytes(StandardCharsets.UTF_8);
        long length = end.length;
        for (int i = 0; i < ranges.size(); i++) {
            length += heads.get(i).length + ranges.get(i).length() + 2;
        }
        var res = ctx.res();
        res.setStatus(206);
        res.setContentType("multipart/byteranges;boundary=" + boundary);
        res.setHeader("Content-Length", Long.toString(length));
        OutputStream out = res.getOutputStream();
        for (int i = 0; i < ranges.size(); i++) {
            out.write(heads.get(i));
            try (InputStream in = opened.stream(ranges.get(i).first(), ranges.get(i).length())) {
                in.transferTo(out);
            }
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(end);
        out.flush();
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER];
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
        }
        out.flush();
    }

    /** The headers every GET, HEAD and 304 of an object carry. */
    private static void describe(Context ctx, ObjectMeta meta) {
        ctx.header("Etag", meta.etag());
        ctx.header("Last-Modified", Headers.httpDate(meta.time().ceilSeconds()));
        ctx.header("X-Timestamp", meta.timestamp());
        ctx.header("Accept-Ranges", "bytes");
        ctx.contentType(meta.contentType());
        Headers.putAll(ctx, meta.metadata());
    }

    /** 304 or 412 when a condition of the request fails, else null (RFC 9110's order of evaluation). */
    private static Integer conditional(Context ctx, ObjectMeta meta) {
        String ifMatch = ctx.header("If-Match");
        if (ifMatch != null && !matches(ifMatch, meta.etag())) {
            return 412;
        }
        Long unmodifiedSince = Headers.parseHttpDate(ctx.header("If-Unmodified-Since"));
        if (ifMatch == null && unmodifiedSince != null && meta.time().ceilSeconds() > unmodifiedSince) {
            return 412;
        }
        String ifNoneMatch = ctx.header("If-None-Match");
        if (ifNoneMatch != null && matches(ifNoneMatch, meta.etag())) {
            return 304;
        }
        Long modifiedSince = Headers.parseHttpDate(ctx.header("If-Modified-Since"));
        if (ifNoneMatch == null && modifiedSince != null && meta.time().ceilSeconds() <= modifiedSince) {
            return 304;
        }
        return null;
    }

    private static boolean matches(String header, String etag) {
        for (String candidate : header.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || unquote(c).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static String unquote(String etag) {
        String e = etag.startsWith("W/") ? etag.substring(2) : etag;
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }

    // ---- PUT

    void put(Context ctx) throws IOException {
        String account = SwiftApi.account(ctx);
        String container = SwiftApi.containerName(ctx);
        String name = objectName(ctx);
        writable(ctx, account, container);
        String copyFrom = ctx.header("X-Copy-From");
        if (copyFrom != null) {
            copy(ctx, account, container, name, copyFrom);
            return;
        }
        long length = ctx.req().getContentLengthLong();
        String transfer = ctx.header("Transfer-Encoding");
        boolean chunked = transfer != null && transfer.toLowerCase().contains("chunked");
        if (length < 0 && !chunked) {
            throw SwiftError.of(411);
        }
        if (length > config.maxFileSize()) {
            throw SwiftError.of(413);
        }
        String contentType = contentType(ctx, name);
        Map<String, String> metadata = Headers.metadata(ctx, "Object", Map.of(), true);
        ObjectMeta meta = objects.put(account, container, name, ctx.req().getInputStream(),
                new Objects.PutRequest(contentType, ctx.header("ETag"), metadata));
        created(ctx, meta);
    }

    private static void created(Context ctx, ObjectMeta meta) {
        ctx.header("Etag", meta.etag());
        ctx.header("Last-Modified", Headers.httpDate(meta.time().ceilSeconds()));
        SwiftApi.empty(ctx, 201);
    }

    /** The request's Content-Type, else one guessed from the name, else application/octet-stream. */
    private static String contentType(Context ctx, String name) {
        String given = ctx.header("Content-Type");
        if (given != null && !given.isBlank()) {
            return given.strip();
        }
        String guessed = URLConnection.guessContentTypeFromName(name);
        return guessed != null ? guessed : "application/octet-stream";
    }

    /**
     * PUT with X-Copy-From: /container/object (URL-encoded): a server-side copy that keeps the
     * source's metadata, overlaid with the request's (or only the request's with X-Fresh-Metadata).
     */
    private void copy(Context ctx, String account, String container, String name, String copyFrom) throws IOException {
        String source = Headers.percentDecode(copyFrom.strip());
        if (source.startsWith("/")) {
            source = source.substring(1);
        }
        int slash = source.indexOf('/');
        if (slash <= 0 || slash == source.length() - 1) {
            throw SwiftError.text(412, "X-Copy-From header must be of the form <container name>/<object name>");
        }
        String sourceContainer = source.substring(0, slash);
        String sourceName = source.substring(slash + 1);
        readable(ctx, account, sourceContainer);
        try (Replicas.Opened opened = objects.open(account, sourceContainer, sourceName).orElseThrow(() -> SwiftError.of(404))) {
            ObjectMeta from = opened.meta();
            boolean fresh = "true".equalsIgnoreCase(ctx.header("X-Fresh-Metadata"));
            Map<String, String> metadata = Headers.metadata(ctx, "Object", fresh ? Map.of() : from.metadata(), false);
            String given = ctx.header("Content-Type");
            String contentType = given != null && !given.isBlank() ? given.strip() : from.contentType();
            ObjectMeta meta = objects.put(account, container, name, opened.stream(0, from.contentLength()),
                    new Objects.PutRequest(contentType, null, metadata));
            ctx.header("X-Copied-From", sourceContainer + "/" + sourceName);
            ctx.header("X-Copied-From-Last-Modified", Headers.httpDate(from.time().ceilSeconds()));
            ctx.header("X-Copied-From-Account", account);
            created(ctx, meta);
        }
    }

    // ---- POST and DELETE

    void post(Context ctx) {
        String account = SwiftApi.account(ctx);
        String container = SwiftApi.containerName(ctx);
        String name = objectName(ctx);
        writable(ctx, account, container);
        String given = ctx.header("Content-Type");
        objects.post(account, container, name, given == null || given.isBlank() ? null : given.strip(),
                Headers.metadata(ctx, "Object", Map.of(), true));
        SwiftApi.accepted(ctx);
    }

    void delete(Context ctx) {
        String account = SwiftApi.account(ctx);
        String container = SwiftApi.containerName(ctx);
        String name = objectName(ctx);
        writable(ctx, account, container);
        objects.delete(account, container, name);
        SwiftApi.empty(ctx, 204);
    }
}
