package org.nubes.image.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.nubes.core.json.Json;
import org.nubes.image.ImageConfig;
import org.nubes.image.service.Members;

/**
 * The JSON schemas of /v2/schemas/*, shaped as Glance's: clients read them to learn the
 * attributes, which ones are read-only, and the allowed formats (the configured lists).
 */
final class Schemas {
    private static final String UUID = "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$";

    private Schemas() {}

    static ObjectNode image(ImageConfig config) {
        ObjectNode schema = Json.object();
        schema.putObject("additionalProperties").put("type", "string");
        links(schema, "self", "{self}", "enclosure", "{file}", "describedby", "{schema}");
        schema.put("name", "image");
        ObjectNode p = schema.putObject("properties");
        extra(p, "architecture", "CPU architecture the image is built for", null);
        nullable(p, "checksum", "string", "MD5 hash of the image data", true).put("maxLength", 32);
        enumOf(p, "container_format", "Format of the container", config.containerFormats());
        string(p, "created_at", "When the image was created", true);
        string(p, "direct_url", "URL of the image data in an external store", true);
        enumOf(p, "disk_format", "Format of the disk", config.diskFormats());
        string(p, "file", "URL of the image data", true);
        string(p, "id", "Identifier of the image", false).put("pattern", UUID);
        extra(p, "instance_uuid", "The server this image was made from (informational)", null);
        extra(p, "kernel_id", "Image to use as the kernel of an AMI-style image", UUID)
                .set("type", Json.array().add("null").add("string"));
        ObjectNode locations = p.putObject("locations");
        locations.put("description", "Where the image data is kept in external stores").put("type", "array");
        ObjectNode item = locations.putObject("items");
        ObjectNode itemProps = item.putObject("properties");
        itemProps.putObject("metadata").put("type", "object");
        itemProps.putObject("url").put("maxLength", 255).put("type", "string");
        item.putArray("required").add("url").add("metadata");
        item.put("type", "object");
        p.putObject("min_disk").put("description", "Disk space (GB) the image needs to boot").put("type", "integer");
        p.putObject("min_ram").put("description", "Memory (MB) the image needs to boot").put("type", "integer");
        nullable(p, "name", "string", "Name of the image", false).put("maxLength", 255);
        extra(p, "os_distro", "Operating system distribution", null);
        nullable(p, "os_hash_algo", "string", "Algorithm of os_hash_value", true).put("maxLength", 64);
        nullable(p, "os_hash_value", "string", "Hex digest of the image data with os_hash_algo", true).put("maxLength", 128);
        p.putObject("os_hidden").put("description", "Whether the image is left out of default image lists").put("type", "boolean");
        extra(p, "os_version", "Operating system version", null);
        nullable(p, "owner", "string", "Project that owns the image", false).put("maxLength", 255);
        p.putObject("protected").put("description", "Whether the image cannot be deleted").put("type", "boolean");
        extra(p, "ramdisk_id", "Image to use as the ramdisk of an AMI-style image", UUID)
                .set("type", Json.array().add("null").add("string"));
        string(p, "schema", "URL of this schema", true);
        string(p, "self", "URL of the image", true);
        nullable(p, "size", "integer", "Size of the image data in bytes", true);
        ObjectNode status = p.putObject("status");
        status.put("description", "Status of the image");
        ArrayNode statuses = status.putArray("enum");
        List.of("queued", "saving", "active", "killed", "deleted", "pending_delete", "deactivated", "uploading",
                "importing").forEach(statuses::add);
        status.put("readOnly", true).put("type", "string");
        ObjectNode tags = p.putObject("tags");
        tags.put("description", "Strings attached to the image");
        tags.putObject("items").put("maxLength", 255).put("type", "string");
        tags.put("type", "array");
        string(p, "updated_at", "When the image was last changed", true);
        nullable(p, "virtual_size", "integer", "Virtual size of the image in bytes", true);
        ObjectNode visibility = p.putObject("visibility");
        visibility.put("description", "Who may see the image");
        ArrayNode visibilities = visibility.putArray("enum");
        List.of("community", "public", "private", "shared").forEach(visibilities::add);
        visibility.put("type", "string");
        return schema;
    }

    static ObjectNode images(ImageConfig config) {
        ObjectNode schema = Json.object();
        links(schema, "first", "{first}", "next", "{next}", "describedby", "{schema}");
        schema.put("name", "images");
        ObjectNode p = schema.putObject("properties");
        p.putObject("first").put("type", "string");
        p.putObject("images").put("type", "array").set("items", image(config));
        p.putObject("next").put("type", "string");
        p.putObject("schema").put("type", "string");
        return schema;
    }

    static ObjectNode member() {
        ObjectNode schema = Json.object();
        schema.put("name", "member");
        ObjectNode p = schema.putObject("properties");
        p.putObject("created_at").put("description", "When the membership was created").put("type", "string");
        p.putObject("image_id").put("description", "Identifier of the image").put("pattern", UUID).put("type", "string");
        p.putObject("member_id").put("description", "The project the image is shared with").put("type", "string");
        p.putObject("schema").put("readOnly", true).put("type", "string");
        ObjectNode status = p.putObject("status");
        status.put("description", "Whether the member accepted the image");
        ArrayNode statuses = status.putArray("enum");
        Members.STATUSES.forEach(statuses::add);
        status.put("type", "string");
        p.putObject("updated_at").put("description", "When the membership last changed").put("type", "string");
        return schema;
    }

    static ObjectNode members() {
        ObjectNode schema = Json.object();
        links(schema, "describedby", "{schema}");
        schema.put("name", "members");
        ObjectNode p = schema.putObject("properties");
        p.putObject("members").put("type", "array").set("items", member());
        p.putObject("schema").put("type", "string");
        return schema;
    }

    private static void links(ObjectNode schema, String... relHref) {
        ArrayNode links = schema.putArray("links");
        for (int i = 0; i + 1 < relHref.length; i += 2) {
            links.addObject().put("href", relHref[i + 1]).put("rel", relHref[i]);
        }
    }

    private static ObjectNode string(ObjectNode p, String name, String description, boolean readOnly) {
        ObjectNode node = p.putObject(name).put("description", description);
        if (readOnly) {
            node.put("readOnly", true);
        }
        return node.put("type", "string");
    }

    private static ObjectNode nullable(ObjectNode p, String name, String type, String description, boolean readOnly) {
        ObjectNode node = p.putObject(name).put("description", description);
        if (readOnly) {
            node.put("readOnly", true);
        }
        node.set("type", Json.array().add("null").add(type));
        return node;
    }

    private static void enumOf(ObjectNode p, String name, String description, List<String> values) {
        ObjectNode node = p.putObject(name).put("description", description);
        ArrayNode allowed = node.putArray("enum");
        allowed.addNull();
        values.forEach(allowed::add);
        node.set("type", Json.array().add("null").add("string"));
    }

    /** A well-known custom property: listed, but not a base attribute (is_base false). */
    private static ObjectNode extra(ObjectNode p, String name, String description, String pattern) {
        ObjectNode node = p.putObject(name).put("description", description).put("is_base", false);
        if (pattern != null) {
            node.put("pattern", pattern);
        }
        return node.put("type", "string");
    }
}
