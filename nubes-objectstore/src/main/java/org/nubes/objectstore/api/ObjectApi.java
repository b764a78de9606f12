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
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.nubes.objectstore.ObjectStoreConfig;
import org.nubes.objectstore.disk.ObjectMeta;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.service.Objects;
import org.nubes.objectstore.service.SwiftError;
import org.nubes.objectstore.service.Versions;
import org.nubes.objectstore.store.ContainerRow;
import org.nubes.objectstore.store.ListingStore;

/**
 * Object GET, HEAD, PUT (and copy with X-Copy-From, or the COPY method with Destination), POST and
 * DELETE; large objects through {@link LargeObjects}; container quotas on every write.
 */
final class ObjectApi {
    static final int MAX_OBJECT_NAME = 1024;
    static final int MAX_CONTAINER_NAME = 256;
    private static final int BUFFER = 64 * 1024;

    private final SwiftApi swift;
    private final ListingStore listings;
    private final Objects objects;
    private final ObjectStoreConfig config;
    private final LargeObjects large;
    private final Versions versions;

    ObjectApi(SwiftApi swift, ListingStore listings, Objects objects, ObjectStoreConfig config) {
        this.swift = swift;
        this.listings = listings;
        this.objects = objects;
        this.config = config;
        this.large = new LargeObjects(this, listings, objects);
        this.versions = new Versions(objects, listings);
    }

    private static String objectName(Context ctx) {
        return checkName(ctx.pathParam("object"));
    }

    /** 400 for an object name longer than Swift allows. */
    static String checkName(String name) {
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_OBJECT_NAME) {
            throw SwiftError.text(400, "Object name length of %d longer than %d".formatted(length, MAX_OBJECT_NAME));
        }
        return name;
    }

    /** The container after the read check (404 only to those allowed to know). */
    ContainerRow readable(Context ctx, String account, String container) {
        ContainerRow row = listings.container(account, container).orElse(null);
        swift.requireRead(ctx, account, row, false);
        if (row == null) {
            throw SwiftError.of(404);
        }
        return row;
    }

    ContainerRow writable(Context ctx, String account, String container) {
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
            LargeObjects.Content content = large.content(ctx, account, opened);
            describe(ctx, meta, content);
            if (Boolean.TRUE.equals(ctx.attribute(SwiftApi.TEMP_URL))) {
                tempUrlHeaders(ctx, meta, name);
            }
            Integer condition = conditional(ctx, meta, content.bareEtag());
            if (condition != null) {
                if (condition == 304) {
                    ctx.status(304);
                    ctx.res().setHeader("Content-Length", null);
                    return;
                }
                throw SwiftError.of(412).header("Etag", content.etag());
            }
            long size = content.size();
            List<ByteRanges.Range> ranges = head ? null : ByteRanges.parse(ctx.header("Range"), size);
            if (ranges != null && ranges.isEmpty()) {
                throw SwiftError.of(416).header("Content-Range", "bytes */" + size);
            }
            var res = ctx.res();
            if (ranges == null) {
                res.setStatus(200);
                res.setContentType(content.contentType());
                res.setHeader("Content-Length", Long.toString(size));
                if (!head) {
                    try (InputStream in = content.source().stream(0, size)) {
                        copy(in, res.getOutputStream());
                    }
                }
            } else if (ranges.size() == 1) {
                ByteRanges.Range range = ranges.getFirst();
                res.setStatus(206);
                res.setContentType(content.contentType());
                res.setHeader("Content-Range", "bytes %d-%d/%d".formatted(range.first(), range.last(), size));
                res.setHeader("Content-Length", Long.toString(range.length()));
                try (InputStream in = content.source().stream(range.first(), range.length())) {
                    copy(in, res.getOutputStream());
                }
            } else {
                multipart(ctx, content, ranges);
            }
        }
    }

    /** Several ranges as multipart/byteranges, each part with its own Content-Type and Content-Range. */
    private static void multipart(Context ctx, LargeObjects.Content content, List<ByteRanges.Range> ranges) throws IOException {
        byte[] random = new byte[16];
        ThreadLocalRandom.current().nextBytes(random);
        String boundary = HexFormat.of().formatHex(random);
        long size = content.size();
        List<byte[]> heads = ranges.stream().map(r -> ("--" + boundary + "\r\nContent-Type: " + content.contentType()
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
            try (InputStream in = content.source().stream(ranges.get(i).first(), ranges.get(i).length())) {
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
    private static void describe(Context ctx, ObjectMeta meta, LargeObjects.Content content) {
        ctx.header("Etag", content.etag());
        ctx.header("Last-Modified", Headers.httpDate(meta.time().ceilSeconds()));
        ctx.header("X-Timestamp", meta.timestamp());
        ctx.header("Accept-Ranges", "bytes");
        ctx.contentType(content.contentType());
        Headers.putAll(ctx, LargeObjects.visible(meta.metadata()));
    }

    /**
     * A temporary URL's answer as tempurl gives it: X-Object-Meta-* removed but for
     * X-Object-Meta-Public-*, and Content-Disposition (inline, or an attachment with the filename
     * parameter or the object's last path part) on GET.
     */
    private static void tempUrlHeaders(Context ctx, ObjectMeta meta, String name) {
        for (String key : meta.metadata().keySet()) {
            if (key.startsWith("X-Object-Meta-") && !key.startsWith("X-Object-Meta-Public-")) {
                ctx.res().setHeader(key, null);
            }
        }
        if (!ctx.method().name().equals("GET")) {
            return;
        }
        String filename = ctx.queryParam("filename");
        if (ctx.queryParam("inline") != null) {
            ctx.header("Content-Disposition", filename == null ? "inline" : "inline; " + dispositionName(filename));
            return;
        }
        ctx.header("Content-Disposition", "attachment; " + dispositionName(filename != null ? filename : name.substring(name.lastIndexOf('/') + 1)));
    }

    private static String dispositionName(String filename) {
        String quoted = filename.replace("\\", "\\\\").replace("\"", "\\\"");
        String encoded = java.net.URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20");
        return "filename=\"" + quoted + "\"; filename*=UTF-8''" + encoded;
    }

    /** 304 or 412 when a condition of the request fails, else null (RFC 9110's order of evaluation). */
    private static Integer conditional(Context ctx, ObjectMeta meta, String etag) {
        String ifMatch = ctx.header("If-Match");
        if (ifMatch != null && !matches(ifMatch, etag)) {
            return 412;
        }
        Long unmodifiedSince = Headers.parseHttpDate(ctx.header("If-Unmodified-Since"));
        if (ifMatch == null && unmodifiedSince != null && meta.time().ceilSeconds() > unmodifiedSince) {
            return 412;
        }
        String ifNoneMatch = ctx.header("If-None-Match");
        if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
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
        if (swift.extracted(ctx, account, container + "/" + name)) {
            return;
        }
        ContainerRow target = writable(ctx, account, container);
        String copyFrom = ctx.header("X-Copy-From");
        if (copyFrom != null && Boolean.TRUE.equals(ctx.attribute(SwiftApi.TEMP_URL))) {
            throw SwiftError.text(401, "401 Unauthorized: Temp URL invalid\n");  // a temporary URL writes only its own body
        }
        if (copyFrom != null) {
            String[] source = copyPath(copyFrom, "X-Copy-From");
            String fromAccount = ctx.header("X-Copy-From-Account");
            String sourceAccount = fromAccount == null || fromAccount.isBlank() ? account : fromAccount.strip();
            copy(ctx, sourceAccount, source[0], source[1], account, target, name);
            return;
        }
        SwiftApi.requireLength(ctx);
        long length = ctx.req().getContentLengthLong();
        long quotaLeft = admit(target, length);
        String contentType = contentType(ctx, name);
        Map<String, String> metadata = Headers.expiry(ctx, Headers.metadata(ctx, "Object", Map.of(), true));
        if ("put".equals(ctx.queryParam("multipart-manifest"))) {
            archive(account, target, name);
            ObjectMeta meta = large.putManifest(ctx, account, container, name, contentType, metadata, quotaLeft);
            ctx.header("Etag", "\"" + meta.metadata().get(LargeObjects.SLO_ETAG) + "\"");
            ctx.header("Last-Modified", Headers.httpDate(meta.time().ceilSeconds()));
            SwiftApi.empty(ctx, 201);
            return;
        }
        String manifest = ctx.header(LargeObjects.DLO);
        if (manifest != null) {
            metadata.put(LargeObjects.DLO, LargeObjects.checkDlo(manifest));
        }
        created(ctx, write(account, target, name, ctx.req().getInputStream(),
                new Objects.PutRequest(contentType, ctx.header("ETag"), metadata), quotaLeft));
    }

    /** The bytes a write of length (-1: unknown) may store under the container's quota; 413 past it or the size limit. */
    private long admit(ContainerRow target, long length) {
        if (length > config.maxFileSize()) {
            throw SwiftError.of(413);
        }
        return quotaLeft(target, length);
    }

    /** Stores the body as the object, after archiving its current version where the container keeps versions. */
    private ObjectMeta write(String account, ContainerRow target, String name, InputStream body, Objects.PutRequest request,
            long quotaLeft) throws IOException {
        archive(account, target, name);
        return objects.put(account, target.name(), name, body, request, quotaLeft);
    }

    /**
     * The bytes a write of length (-1: unknown) may still add under the container's
     * X-Container-Meta-Quota-Bytes; 413 "Upload exceeds quota." when it or Quota-Count is passed.
     */
    private static long quotaLeft(ContainerRow container, long length) {
        Long count = quota(container, "X-Container-Meta-Quota-Count");
        if (count != null && container.objectCount() + 1 > count) {
            throw SwiftError.text(413, "Upload exceeds quota.");
        }
        Long bytes = quota(container, "X-Container-Meta-Quota-Bytes");
        if (bytes == null) {
            return Long.MAX_VALUE;
        }
        long left = bytes - container.bytesUsed();
        if (length > left || left < 0) {
            throw SwiftError.text(413, "Upload exceeds quota.");
        }
        return left;
    }

    private static Long quota(ContainerRow container, String key) {
        String value = container.metadata().get(key);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void created(Context ctx, ObjectMeta meta) {
        ctx.header("Etag", meta.etag());
        ctx.header("Last-Modified", Headers.httpDate(meta.time().ceilSeconds()));
        SwiftApi.empty(ctx, 201);
    }

    /** The request's Content-Type, else one guessed from the name. */
    private static String contentType(Context ctx, String name) {
        String given = ctx.header("Content-Type");
        return given != null && !given.isBlank() ? given.strip() : guessContentType(name);
    }

    /** The content type the name's extension suggests, else application/octet-stream. */
    private static String guessContentType(String name) {
        String guessed = URLConnection.guessContentTypeFromName(name);
        return guessed != null ? guessed : "application/octet-stream";
    }

    /** Before an overwrite in a container that keeps versions: the current version to its versions container. */
    private void archive(String account, ContainerRow target, String name) throws IOException {
        var location = Versions.of(target);
        if (location.isPresent()) {
            versions.archive(account, name, target.name(), location.get());
        }
    }

    /** "container/object" of X-Copy-From or Destination (URL-encoded, leading slash optional); 412 otherwise. */
    private static String[] copyPath(String header, String which) {
        String source = Headers.percentDecode(header.strip());
        if (source.startsWith("/")) {
            source = source.substring(1);
        }
        int slash = source.indexOf('/');
        if (slash <= 0 || slash == source.length() - 1) {
            throw SwiftError.text(412, which + " header must be of the form <container name>/<object name>");
        }
        return new String[] {source.substring(0, slash), source.substring(slash + 1)};
    }

    /**
     * COPY with Destination: container/object (and Destination-Account): the same server-side copy
     * as PUT with X-Copy-From, from this request's object.
     */
    void copyMethod(Context ctx) throws IOException {
        String account = SwiftApi.account(ctx);
        String container = SwiftApi.containerName(ctx);
        String name = objectName(ctx);
        String destination = ctx.header("Destination");
        if (destination == null) {
            throw SwiftError.text(412, "Destination header required");
        }
        String[] target = copyPath(destination, "Destination");
        String destinationAccount = ctx.header("Destination-Account");
        String toAccount = destinationAccount == null || destinationAccount.isBlank() ? account : destinationAccount.strip();
        if (!toAccount.startsWith(SwiftApi.RESELLER_PREFIX) || toAccount.length() == SwiftApi.RESELLER_PREFIX.length()) {
            throw SwiftError.text(412, "Destination-Account is not valid");
        }
        String targetName = checkName(target[1]);
        ContainerRow to = writable(ctx, toAccount, target[0]);
        copy(ctx, account, container, name, toAccount, to, targetName);
    }

    /**
     * A server-side copy that keeps the source's metadata, overlaid with the request's (or only the
     * request's with X-Fresh-Metadata). A large object is copied as its content (its manifest with
     * multipart-manifest=get, as Swift does).
     */
    private void copy(Context ctx, String sourceAccount, String sourceContainer, String sourceName,
            String account, ContainerRow target, String name) throws IOException {
        readable(ctx, sourceAccount, sourceContainer);
        try (Replicas.Opened opened = objects.open(sourceAccount, sourceContainer, sourceName).orElseThrow(() -> SwiftError.of(404))) {
            ObjectMeta from = opened.meta();
            LargeObjects.Content content = large.content(ctx, sourceAccount, opened);
            boolean manifest = "get".equals(ctx.queryParam("multipart-manifest"));
            boolean fresh = "true".equalsIgnoreCase(ctx.header("X-Fresh-Metadata"));
            // Only the client's metadata goes through the request's changes and their limits; a
            // manifest copied as itself gets back the rest of its source's afterwards.
            Map<String, String> kept = new java.util.TreeMap<>(fresh ? Map.of() : from.metadata());
            kept.keySet().removeIf(k -> !k.startsWith("X-Object-Meta-"));
            Map<String, String> metadata = Headers.metadata(ctx, "Object", kept, false);
            if (manifest && !fresh) {
                metadata.putAll(LargeObjects.system(from.metadata()));
            }
            Headers.expiry(ctx, metadata);
            String given = ctx.header("Content-Type");
            String contentType = given != null && !given.isBlank() ? given.strip() : from.contentType();
            long size = manifest ? from.contentLength() : content.size();
            long quotaLeft = quotaLeft(target, size);
            ObjectMeta meta;
            // Written only once the source could be opened (an SLO's sub-SLOs found unchanged).
            try (InputStream in = manifest ? opened.stream(0, size) : content.source().stream(0, size)) {
                meta = write(account, target, name, in, new Objects.PutRequest(contentType, null, metadata), quotaLeft);
            }
            ctx.header("X-Copied-From", sourceContainer + "/" + sourceName);
            ctx.header("X-Copied-From-Last-Modified", Headers.httpDate(from.time().ceilSeconds()));
            ctx.header("X-Copied-From-Account", sourceAccount);
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
        Map<String, String> metadata = Headers.metadata(ctx, "Object", Map.of(), true);
        Optional<ObjectMeta> current = objects.head(account, container, name);
        current.ifPresent(meta -> LargeObjects.system(meta.metadata()).forEach(metadata::putIfAbsent));
        Headers.expiry(ctx, metadata);
        String manifest = ctx.header(LargeObjects.DLO);
        if (manifest != null) {
            metadata.put(LargeObjects.DLO, LargeObjects.checkDlo(manifest));
        }
        // The request's own errors (400) come before the 404 of an object that is not there.
        objects.post(account, container, name, current.orElseThrow(() -> SwiftError.of(404)),
                given == null || given.isBlank() ? null : given.strip(), metadata);
        SwiftApi.accepted(ctx);
    }

    void delete(Context ctx) throws IOException {
        String account = SwiftApi.account(ctx);
        String container = SwiftApi.containerName(ctx);
        String name = objectName(ctx);
        if ("delete".equals(ctx.queryParam("multipart-manifest"))) {
            writable(ctx, account, container);
            large.deleteManifest(ctx, account, container, name);
            return;
        }
        delete(ctx, account, container, name);
        SwiftApi.empty(ctx, 204);
    }

    /** A DELETE of one object (also one line of a bulk delete): write access, versions kept. */
    void delete(Context ctx, String account, String container, String name) throws IOException {
        ContainerRow row = writable(ctx, account, container);
        var location = Versions.of(row);
        if (location.isPresent()) {
            versions.delete(account, container, name, location.get());
            return;
        }
        objects.delete(account, container, name);
    }

    /**
     * A PUT of one object from a stream of known length, as an archive's file is stored: write
     * access, the container's quota, versions kept; the content type given, else guessed.
     */
    ObjectMeta store(Context ctx, String account, String container, String name, InputStream body, long length,
            String contentType, Map<String, String> metadata) throws IOException {
        checkName(name);
        ContainerRow target = writable(ctx, account, container);
        long quotaLeft = admit(target, length);
        String type = contentType != null ? contentType : guessContentType(name);
        return write(account, target, name, body, new Objects.PutRequest(type, null, metadata), quotaLeft);
    }
}
