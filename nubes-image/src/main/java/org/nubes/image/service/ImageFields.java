package org.nubes.image.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;
import org.nubes.image.ImageConfig;
import org.nubes.image.store.ImageMeta;

/**
 * The attributes of an image as a client writes them: which ones exist, which are read-only or
 * reserved, and how a JSON document of them (a create body, or an image after a patch) becomes an
 * {@link ImageMeta}. Glance validates the same document against its image schema.
 */
public final class ImageFields {
    /** Attributes the service sets; a client naming them gets 403, as in Glance. */
    public static final Set<String> READ_ONLY = Set.of("created_at", "updated_at", "status", "checksum", "size",
            "virtual_size", "direct_url", "self", "file", "schema", "id", "os_hash_algo", "os_hash_value",
            "stores", "locations");
    /** Names no image may carry. */
    static final Set<String> RESERVED = Set.of("location", "deleted", "deleted_at");
    /** Glance keeps properties under this prefix for itself. */
    static final String RESERVED_PREFIX = "os_glance";
    /** The attributes every image has; they can be replaced but never removed. */
    static final Set<String> CORE = Set.of("name", "owner", "visibility", "disk_format", "container_format",
            "min_disk", "min_ram", "protected", "os_hidden", "tags");
    public static final List<String> VISIBILITIES = List.of("public", "private", "shared", "community");
    static final Pattern UUID = Pattern.compile(
            "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$");
    static final int MAX_TAGS = 128;
    static final int MAX_PROPERTIES = 128;

    private ImageFields() {}

    /** The document a patch is applied to: every core attribute plus the custom properties. */
    static ObjectNode document(ImageMeta m) {
        ObjectNode doc = Json.object();
        doc.put("name", m.name()).put("owner", m.owner()).put("visibility", m.visibility())
                .put("disk_format", m.diskFormat()).put("container_format", m.containerFormat())
                .put("min_disk", m.minDisk()).put("min_ram", m.minRam())
                .put("protected", m.isProtected()).put("os_hidden", m.hidden());
        m.tags().forEach(doc.putArray("tags")::add);
        m.properties().forEach(doc::put);
        return doc;
    }

    /** 403 for an attribute no client may write. */
    static void checkWritable(String name) {
        if (READ_ONLY.contains(name)) {
            throw ApiException.forbidden("Attribute '%s' is read-only.", name);
        }
        if (RESERVED.contains(name) || name.startsWith(RESERVED_PREFIX)) {
            throw ApiException.forbidden("Attribute '%s' is reserved.", name);
        }
    }

    /** Validates a document as Glance's image schema does; absent core attributes get defaults. */
    static ImageMeta meta(ObjectNode doc, ImageConfig config, String defaultOwner) {
        String name = nullableString(doc, "name", 255);
        String owner = doc.has("owner") ? nullableString(doc, "owner", 255) : defaultOwner;
        String visibility = doc.has("visibility") ? enumValue(doc, "visibility", VISIBILITIES, false) : "shared";
        String diskFormat = enumValue(doc, "disk_format", config.diskFormats(), true);
        String containerFormat = enumValue(doc, "container_format", config.containerFormats(), true);
        int minDisk = nonNegative(doc, "min_disk");
        int minRam = nonNegative(doc, "min_ram");
        boolean isProtected = bool(doc, "protected");
        boolean hidden = bool(doc, "os_hidden");
        List<String> tags = tags(doc.get("tags"));
        Map<String, String> properties = new LinkedHashMap<>();
        for (var field : doc.properties()) {
            String key = field.getKey();
            if (CORE.contains(key)) {
                continue;
            }
            checkWritable(key);
            if (key.isEmpty() || key.length() > 255) {
                throw Fault.invalid("a property name must have 1 to 255 characters");
            }
            if (!field.getValue().isTextual()) {
                throw Fault.invalid("%s is not of type 'string'".formatted(field.getValue()) + " (property " + key + ")");
            }
            properties.put(key, field.getValue().asText());
        }
        if (properties.size() > MAX_PROPERTIES) {
            throw ApiException.tooLarge("Maximum number of image properties (%d) exceeded.", MAX_PROPERTIES);
        }
        return new ImageMeta(name, owner, visibility, diskFormat, containerFormat, minDisk, minRam,
                isProtected, hidden, tags, properties);
    }

    static List<String> tags(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw Fault.invalid("tags must be an array of strings");
        }
        Set<String> tags = new LinkedHashSet<>();
        for (JsonNode tag : node) {
            tags.add(tag(tag.isTextual() ? tag.asText() : null));
        }
        if (tags.size() > MAX_TAGS) {
            throw ApiException.tooLarge("Maximum number of image tags (%d) exceeded.", MAX_TAGS);
        }
        return new ArrayList<>(tags);
    }

    static String tag(String tag) {
        if (tag == null || tag.isEmpty() || tag.length() > 255) {
            throw Fault.invalid("a tag must be a string of 1 to 255 characters");
        }
        return tag;
    }

    private static String nullableString(ObjectNode doc, String key, int max) {
        JsonNode v = doc.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw Fault.invalid("%s is not of type 'null', 'string' (%s)".formatted(v, key));
        }
        if (v.asText().length() > max) {
            throw Fault.invalid("%s is longer than %d characters".formatted(key, max));
        }
        return v.asText();
    }

    private static String enumValue(ObjectNode doc, String key, List<String> allowed, boolean nullable) {
        JsonNode v = doc.get(key);
        if (nullable && (v == null || v.isNull())) {
            return null;
        }
        if (v == null || !v.isTextual() || !allowed.contains(v.asText())) {
            throw Fault.invalid("%s is not one of %s (%s)".formatted(v, allowed, key));
        }
        return v.asText();
    }

    private static int nonNegative(ObjectNode doc, String key) {
        JsonNode v = doc.get(key);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw Fault.invalid("%s is not of type 'integer' (%s)".formatted(v, key));
        }
        if (v.asInt() < 0) {
            throw ApiException.badRequest("Invalid value '%s' for parameter '%s': Cannot be a negative value.", v, key);
        }
        return v.asInt();
    }

    private static boolean bool(ObjectNode doc, String key) {
        JsonNode v = doc.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw Fault.invalid("%s is not of type 'boolean' (%s)".formatted(v, key));
        }
        return v.asBoolean();
    }
}
