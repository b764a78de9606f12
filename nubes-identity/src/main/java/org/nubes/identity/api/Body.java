package org.nubes.identity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.Set;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;

/**
 * Reads Keystone request bodies and answers bad input the way Keystone's schema validation does:
 * 400 "Invalid input for field '...': ...".
 */
final class Body {
    private Body() {}

    /** The object under the body's one top-level key, e.g. {"user": {...}}. */
    static ObjectNode resource(Context ctx, String key) {
        JsonNode node = Http.jsonBody(ctx).get(key);
        if (node == null) {
            throw invalid(key, "'" + key + "' is a required property");
        }
        if (!(node instanceof ObjectNode object)) {
            throw invalid(key, node + " is not of type 'object'");
        }
        return object;
    }

    static String requiredString(ObjectNode node, String field, int maxLength) {
        String value = optionalString(node, field, maxLength);
        if (value == null) {
            throw invalid(field, "'" + field + "' is a required property");
        }
        if (value.isBlank()) {
            throw invalid(field, "'" + field + "' must not be empty");
        }
        return value;
    }

    /** The string, null when absent or JSON null. */
    static String optionalString(ObjectNode node, String field, int maxLength) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field, value + " is not of type 'string'");
        }
        if (value.asText().length() > maxLength) {
            throw invalid(field, "'" + value.asText() + "' is too long (at most " + maxLength + " characters)");
        }
        return value.asText();
    }

    static boolean bool(ObjectNode node, String field, boolean fallback) {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw invalid(field, value + " is not of type 'boolean'");
        }
        return value.asBoolean();
    }

    static void rejectUnknown(ObjectNode node, String resource, Set<String> allowed) {
        node.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw invalid(resource, "Additional properties are not allowed ('" + name + "' was unexpected)");
            }
        });
    }

    /** What is left of a body after the known attributes: Keystone keeps it as extra attributes. */
    static ObjectNode extra(ObjectNode node, Set<String> known) {
        ObjectNode extra = node.deepCopy();
        extra.remove(known);
        extra.remove(Set.of("id", "links"));
        return extra;
    }

    static ObjectNode mergeExtra(ObjectNode current, ObjectNode update, Set<String> known) {
        ObjectNode merged = current.deepCopy();
        merged.setAll(extra(update, known));
        return merged;
    }

    static ApiException invalid(String field, String problem) {
        return ApiException.badRequest("Invalid input for field '%s': %s", field, problem);
    }
}
