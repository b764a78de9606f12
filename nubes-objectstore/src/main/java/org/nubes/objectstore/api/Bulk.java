package org.nubes.objectstore.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.nubes.core.json.Json;
import org.nubes.objectstore.service.SwiftError;

/**
 * Swift's bulk middleware: bulk delete (POST or DELETE on the account with ?bulk-delete, a body of
 * URL-encoded /container/object or /container lines) and archive extraction (PUT with
 * ?extract-archive=tar|tar.gz|tar.bz2 on the account, a container or a path in one, each regular
 * file of the archive becoming an object below it). Every line or file is done as its own request
 * would be, with the caller's rights. As in Swift the answer is 200 and its body (text, JSON or XML
 * by the Accept header) tells what happened: a "Response Status", the counts and the errors.
 */
final class Bulk {
    static final int MAX_DELETES_PER_REQUEST = 10000;
    static final int MAX_FAILED_DELETES = 1000;
    static final int MAX_CONTAINERS_PER_EXTRACTION = 10000;
    static final int MAX_FAILED_EXTRACTIONS = 1000;
    private static final int MAX_PATH_LENGTH = ObjectApi.MAX_OBJECT_NAME + ObjectApi.MAX_CONTAINER_NAME + 2;

    private final SwiftApi swift;
    private final ObjectApi objects;

    Bulk(SwiftApi swift, ObjectApi objects) {
        this.swift = swift;
        this.objects = objects;
    }

    /**
     * What a bulk request reports: how many lines or files were done (and, for a delete, how many
     * were not found), the result, and the errors as [name, status] pairs.
     */
    private static final class Report {
        private final String doneName;
        private final boolean delete;
        int done;
        int notFound;
        private String status;
        private String body = "";
        final List<String[]> errors = new ArrayList<>();
        boolean serverError;

        private Report(String doneName, boolean delete, int status) {
            this.doneName = doneName;
            this.delete = delete;
            this.status = statusLine(status);
        }

        static Report delete() {
            return new Report("Number Deleted", true, 200);
        }

        static Report extract() {
            return new Report("Number Files Created", false, 201);
        }

        void fail(String name, int status) {
            errors.add(new String[] {quote(name), statusLine(status)});
            serverError |= status >= 500;
        }

        void result(int status, String body) {
            this.status = statusLine(status);
            this.body = body;
        }

        /** The counts and the result by name, sorted by name as Swift answers them. */
        Map<String, Object> values() {
            Map<String, Object> values = new TreeMap<>();
            values.put(doneName, done);
            if (delete) {
                values.put("Number Not Found", notFound);
            }
            values.put("Response Body", body);
            values.put("Response Status", status);
            return values;
        }
    }

    // ---- bulk delete

    void delete(Context ctx, String account) throws IOException {
        Format format = Format.of(ctx);
        Report report = Report.delete();
        try {
            String incoming = ctx.header("Content-Type");
            if (incoming != null && !incoming.isBlank() && !incoming.startsWith("text/plain")) {
                throw SwiftError.of(406);
            }
            for (String line : lines(ctx)) {
                if (report.errors.size() >= MAX_FAILED_DELETES) {
                    throw SwiftError.text(400, "Max delete failures exceeded");
                }
                String path = line;  // reported as given when it is not valid percent-encoding
                try {
                    path = Headers.percentDecode(line);
                    String trimmed = path.startsWith("/") ? path.substring(1) : path;
                    int slash = trimmed.indexOf('/');
                    if (slash < 0) {
                        swift.deleteContainer(ctx, account, trimmed);
                    } else {
                        objects.delete(ctx, account, trimmed.substring(0, slash), trimmed.substring(slash + 1));
                    }
                    report.done++;
                } catch (SwiftError e) {
                    if (e.status() == 404) {
                        report.notFound++;
                    } else {
                        report.fail(path, e.status());
                    }
                }
            }
            if (!report.errors.isEmpty()) {
                report.result(report.serverError ? 502 : 400, "");
            } else if (report.done == 0 && report.notFound == 0) {
                report.result(400, "Invalid bulk delete.");
            }
        } catch (SwiftError e) {
            report.result(e.status(), e.body());
        }
        answer(ctx, format, report, "delete");
    }

    /** The body's non-empty lines; 413 past the most one request may delete, 400 for a line too long. */
    private static List<String> lines(Context ctx) throws IOException {
        SwiftApi.requireLength(ctx);
        List<String> lines = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(ctx.req().getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.length() > MAX_PATH_LENGTH * 2) {
                throw SwiftError.text(400, "Invalid File Name");
            }
            if (!line.isBlank()) {
                lines.add(line.strip());
            }
            if (lines.size() > MAX_DELETES_PER_REQUEST) {
                throw SwiftError.text(413, "Maximum Bulk Deletes: " + MAX_DELETES_PER_REQUEST + " per request");
            }
        }
        return lines;
    }

    // ---- extract archive

    /**
     * Extracts the archive in the request body below base ("" for the account, "container" or
     * "container/prefix"): a file's path below base names its object; with no base its first
     * directory names the container, and files at the top are left out.
     */
    void extract(Context ctx, String account, String base) {
        String type = strip(ctx.queryParam("extract-archive").strip().toLowerCase(Locale.ROOT), '.');
        if (!List.of("tar", "tar.gz", "tar.bz2").contains(type)) {
            throw SwiftError.text(400, "Unsupported archive format");
        }
        Format format = Format.of(ctx);
        Report report = Report.extract();
        try {
            SwiftApi.requireLength(ctx);
            try (TarArchiveInputStream tar = new TarArchiveInputStream(decompressed(type, ctx.req().getInputStream()))) {
                extract(ctx, account, strip(base, '/'), tar, report);
            } catch (IOException | IllegalArgumentException e) {
                throw SwiftError.text(400, "Invalid Tar File: " + e.getMessage());
            }
            if (!report.errors.isEmpty()) {
                report.result(report.serverError ? 502 : 400, "");
            } else if (report.done == 0) {
                report.result(400, "Invalid Tar File: No Valid Files");
            }
        } catch (SwiftError e) {
            report.result(e.status(), e.body());
        }
        answer(ctx, format, report, "extract");
    }

    private void extract(Context ctx, String account, String base, TarArchiveInputStream tar, Report report) throws IOException {
        Set<String> containers = new HashSet<>();
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null && report.errors.size() < MAX_FAILED_EXTRACTIONS) {
            if (!entry.isFile()) {
                continue;
            }
            String name = entry.getName();
            while (name.startsWith("./")) {
                name = name.substring(2);
            }
            String path = base.isEmpty() ? strip(name, '/') : base + "/" + strip(name, '/');
            int slash = path.indexOf('/');
            if (slash <= 0 || slash == path.length() - 1) {
                continue;  // a file at the top of the account names no container
            }
            String container = path.substring(0, slash);
            String object = path.substring(slash + 1);
            boolean newContainer = containers.add(container);
            if (containers.size() > MAX_CONTAINERS_PER_EXTRACTION) {
                throw SwiftError.text(400, "More than " + MAX_CONTAINERS_PER_EXTRACTION + " containers to create from tar.");
            }
            try {
                if (newContainer) {
                    swift.ensureContainer(ctx, account, container);
                }
                Map<String, String> metadata = new TreeMap<>();
                String contentType = paxMetadata(entry, metadata);
                objects.store(ctx, account, container, object, tar, entry.getSize(), contentType, metadata);
                report.done++;
            } catch (SwiftError e) {
                report.fail("/" + path, e.status());
            }
        }
    }

    /**
     * Metadata a tar keeps as extended attributes (pax headers of GNU tar's --xattrs or bsdtar):
     * user.meta.* becomes X-Object-Meta-*; user.mime_type, returned, is the content type.
     */
    private static String paxMetadata(TarArchiveEntry entry, Map<String, String> metadata) {
        String contentType = null;
        for (var header : entry.getExtraPaxHeaders().entrySet()) {
            String key = header.getKey();
            for (String prefix : List.of("SCHILY.xattr.user.", "LIBARCHIVE.xattr.user.")) {
                if (!key.startsWith(prefix)) {
                    continue;
                }
                String attribute = key.substring(prefix.length());
                if (attribute.equals("mime_type")) {
                    contentType = header.getValue();
                } else if (attribute.startsWith("meta.")) {
                    metadata.put(Headers.titleCase("x-object-meta-" + attribute.substring(5)), header.getValue());
                }
            }
        }
        return contentType;
    }

    private static InputStream decompressed(String type, InputStream body) throws IOException {
        return switch (type) {
            case "tar.gz" -> new GzipCompressorInputStream(body, true);
            case "tar.bz2" -> new BZip2CompressorInputStream(body, true);
            default -> body;
        };
    }

    /** The text without the character at either end, however many times it stands there. */
    private static String strip(String text, char c) {
        int start = 0;
        int end = text.length();
        while (start < end && text.charAt(start) == c) {
            start++;
        }
        while (end > start && text.charAt(end - 1) == c) {
            end--;
        }
        return text.substring(start, end);
    }

    // ---- the answer

    /** The formats a bulk answer comes in, chosen by the Accept header; plain text without one. */
    private enum Format {
        PLAIN("text/plain"), JSON("application/json"), XML("application/xml"), TEXT_XML("text/xml");

        final String contentType;

        Format(String contentType) {
            this.contentType = contentType;
        }

        /** The first acceptable format the Accept header names (q > 0), in the header's order of preference; else 406. */
        static Format of(Context ctx) {
            String accept = ctx.header("Accept");
            if (accept == null || accept.isBlank()) {
                return PLAIN;
            }
            Format best = null;
            double bestQuality = 0;
            for (String range : accept.split(",")) {
                String[] parts = range.split(";");
                String type = parts[0].strip().toLowerCase(Locale.ROOT);
                double quality = 1;
                for (int i = 1; i < parts.length; i++) {
                    String parameter = parts[i].strip();
                    if (parameter.startsWith("q=")) {
                        try {
                            quality = Double.parseDouble(parameter.substring(2));
                        } catch (NumberFormatException e) {
                            quality = 0;
                        }
                    }
                }
                Format format = switch (type) {
                    case "text/plain", "text/*", "*/*" -> PLAIN;
                    case "application/json", "application/*" -> JSON;
                    case "application/xml" -> XML;
                    case "text/xml" -> TEXT_XML;
                    default -> null;
                };
                if (format != null && quality > bestQuality) {
                    best = format;
                    bestQuality = quality;
                }
            }
            if (best == null) {
                throw SwiftError.of(406);
            }
            return best;
        }
    }

    private static void answer(Context ctx, Format format, Report report, String root) {
        Map<String, Object> values = report.values();
        byte[] body = switch (format) {
            case JSON -> {
                ObjectNode node = Json.MAPPER.valueToTree(values);
                ArrayNode errors = node.putArray("Errors");
                report.errors.forEach(e -> errors.addArray().add(e[0]).add(e[1]));
                yield Json.bytes(node);
            }
            case XML, TEXT_XML -> {
                StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<").append(root).append(">\n");
                values.forEach((key, value) -> {
                    String tag = key.replace(' ', '_').toLowerCase(Locale.ROOT);
                    xml.append('<').append(tag).append('>').append(ListingFormat.escape(String.valueOf(value)))
                            .append("</").append(tag).append(">\n");
                });
                xml.append("<errors>\n");
                for (String[] e : report.errors) {
                    xml.append("<object><name>").append(ListingFormat.escape(e[0])).append("</name><status>")
                            .append(e[1]).append("</status></object>\n");
                }
                xml.append("</errors>\n</").append(root).append(">\n");
                yield xml.toString().getBytes(StandardCharsets.UTF_8);
            }
            case PLAIN -> {
                StringBuilder text = new StringBuilder();
                values.forEach((key, value) -> text.append(key).append(": ").append(value).append('\n'));
                text.append("Errors:\n");
                for (String[] e : report.errors) {
                    text.append(e[0]).append(", ").append(e[1]).append('\n');
                }
                yield text.toString().getBytes(StandardCharsets.UTF_8);
            }
        };
        ctx.status(200).contentType(format.contentType);
        ctx.header("Content-Length", Integer.toString(body.length));
        SwiftApi.body(ctx, body);
    }

    private static String statusLine(int status) {
        return status + " " + SwiftError.title(status);
    }

    /** A path as Swift reports it in the errors: URL-encoded, slashes kept. */
    private static String quote(String path) {
        return URLEncoder.encode(path, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }
}
