package org.nubes.objectstore.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.nubes.core.json.Json;
import org.nubes.objectstore.disk.Timestamp;
import org.nubes.objectstore.service.Listing;
import org.nubes.objectstore.service.SwiftError;
import org.nubes.objectstore.store.ContainerRow;
import org.nubes.objectstore.store.ObjectRow;

/** Account and container listings as plain text (one name a line), JSON or XML, as Swift renders them. */
enum ListingFormat {
    PLAIN("text/plain; charset=utf-8"),
    JSON("application/json; charset=utf-8"),
    XML("application/xml; charset=utf-8");

    private static final DateTimeFormatter LAST_MODIFIED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    final String contentType;

    ListingFormat(String contentType) {
        this.contentType = contentType;
    }

    /** From ?format=, else the Accept header; plain by default. */
    static ListingFormat of(Context ctx) {
        String format = ctx.queryParam("format");
        if (format != null) {
            return switch (format.strip().toLowerCase(Locale.ROOT)) {
                case "json" -> JSON;
                case "xml" -> XML;
                case "plain", "" -> PLAIN;
                default -> throw SwiftError.text(400, "Invalid format " + format);
            };
        }
        String accept = ctx.header("Accept");
        if (accept != null) {
            if (accept.contains("application/json")) {
                return JSON;
            }
            if (accept.contains("application/xml") || accept.contains("text/xml")) {
                return XML;
            }
        }
        return PLAIN;
    }

    static String lastModified(String timestamp) {
        return LAST_MODIFIED.format(Timestamp.parse(timestamp).instant());
    }

    byte[] containers(String account, List<Listing.Entry<ContainerRow>> entries) {
        return switch (this) {
            case PLAIN -> plain(entries.stream().map(e -> e.item() != null ? e.item().name() : e.subdir()).toList());
            case JSON -> {
                ArrayNode array = Json.array();
                for (var e : entries) {
                    if (e.item() == null) {
                        array.addObject().put("subdir", e.subdir());
                    } else {
                        ContainerRow c = e.item();
                        array.addObject().put("name", c.name()).put("count", c.objectCount()).put("bytes", c.bytesUsed())
                                .put("last_modified", lastModified(c.modified()));
                    }
                }
                yield Json.bytes(array);
            }
            case XML -> {
                StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<account name=\"")
                        .append(escape(account)).append("\">\n");
                for (var e : entries) {
                    if (e.item() == null) {
                        xml.append("<subdir name=\"").append(escape(e.subdir())).append("\" />\n");
                    } else {
                        ContainerRow c = e.item();
                        xml.append("<container><name>").append(escape(c.name())).append("</name><count>").append(c.objectCount())
                                .append("</count><bytes>").append(c.bytesUsed()).append("</bytes><last_modified>")
                                .append(lastModified(c.modified())).append("</last_modified></container>\n");
                    }
                }
                yield xml.append("</account>").toString().getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    /**
     * A row as listings show it: a static large object's {@code ;swift_bytes=N} content type
     * parameter becomes its bytes and leaves its content type, as in Swift.
     */
    static ObjectRow shown(ObjectRow row) {
        String type = row.contentType();
        int at = type == null ? -1 : type.lastIndexOf(";swift_bytes=");
        if (at < 0) {
            return row;
        }
        try {
            long bytes = Long.parseLong(type.substring(at + ";swift_bytes=".length()));
            return new ObjectRow(row.name(), bytes, row.etag(), type.substring(0, at), row.lastModified());
        } catch (NumberFormatException e) {
            return row;
        }
    }

    byte[] objects(String container, List<Listing.Entry<ObjectRow>> entries) {
        return switch (this) {
            case PLAIN -> plain(entries.stream().map(e -> e.item() != null ? e.item().name() : e.subdir()).toList());
            case JSON -> {
                ArrayNode array = Json.array();
                for (var e : entries) {
                    if (e.item() == null) {
                        array.addObject().put("subdir", e.subdir());
                    } else {
                        ObjectRow o = shown(e.item());
                        array.addObject().put("hash", o.etag()).put("last_modified", lastModified(o.lastModified()))
                                .put("bytes", o.size()).put("name", o.name()).put("content_type", o.contentType());
                    }
                }
                yield Json.bytes(array);
            }
            case XML -> {
                StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container name=\"")
                        .append(escape(container)).append("\">\n");
                for (var e : entries) {
                    if (e.item() == null) {
                        xml.append("<subdir name=\"").append(escape(e.subdir())).append("\"><name>").append(escape(e.subdir())).append("</name></subdir>\n");
                    } else {
                        ObjectRow o = shown(e.item());
                        xml.append("<object><name>").append(escape(o.name())).append("</name><hash>").append(o.etag())
                                .append("</hash><bytes>").append(o.size()).append("</bytes><content_type>")
                                .append(escape(o.contentType())).append("</content_type><last_modified>")
                                .append(lastModified(o.lastModified())).append("</last_modified></object>\n");
                    }
                }
                yield xml.append("</container>").toString().getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    private static byte[] plain(List<String> names) {
        StringBuilder out = new StringBuilder();
        names.forEach(n -> out.append(n).append('\n'));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
