package org.nubes.image.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nubes.core.http.ApiException;

/**
 * Glance's JSON patch (media type application/openstack-images-v2.1-json-patch): a list of add,
 * replace and remove operations on top-level attributes, applied to the image's document.
 */
final class Patch {
    private Patch() {}

    /** Applies the operations in order; the caller validates the result as a whole. */
    static void apply(JsonNode operations, ObjectNode doc, boolean admin) {
        if (operations == null || !operations.isArray()) {
            throw ApiException.badRequest("Request body must be a JSON array of operation objects.");
        }
        for (JsonNode change : operations) {
            if (!change.isObject()) {
                throw ApiException.badRequest("Operations must be JSON objects.");
            }
            String op = change.path("op").asText(null);
            if (op == null || !(op.equals("add") || op.equals("replace") || op.equals("remove"))) {
                throw ApiException.badRequest(
                        "Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.");
            }
            if (!change.path("path").isTextual()) {
                throw ApiException.badRequest("Unable to find 'path' in JSON Schema change");
            }
            String name = attribute(change.path("path").asText());
            ImageFields.checkWritable(name);
            JsonNode value = change.get("value");
            if (!op.equals("remove") && value == null) {
                throw ApiException.badRequest("Operation \"%s\" requires a member named \"value\".", op);
            }
            boolean core = ImageFields.CORE.contains(name);
            if (name.equals("owner") && !admin) {
                throw ApiException.forbidden("Owner can't be updated by non admin.");
            }
            switch (op) {
                case "add" -> doc.set(name, value);
                case "replace" -> {
                    if (!core && !doc.has(name)) {
                        throw ApiException.conflict("Property %s does not exist.", name);
                    }
                    doc.set(name, value);
                }
                default -> {
                    if (core) {
                        throw ApiException.forbidden("Property %s may not be removed.", name);
                    }
                    if (doc.remove(name) == null) {
                        throw ApiException.conflict("Property %s does not exist.", name);
                    }
                }
            }
        }
    }

    /** The attribute a JSON pointer names; images have no nested attributes a patch may reach. */
    private static String attribute(String pointer) {
        if (!pointer.startsWith("/") || pointer.length() < 2 || pointer.indexOf('/', 1) >= 0) {
            throw ApiException.badRequest("Invalid JSON pointer for this resource: '%s'", pointer);
        }
        String name = pointer.substring(1);
        if (name.matches(".*~[^01].*|.*~$")) {
            throw ApiException.badRequest("Invalid JSON pointer for this resource: '%s'", pointer);
        }
        return name.replace("~1", "/").replace("~0", "~");
    }
}
