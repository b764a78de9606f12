package org.nubes.compute.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nubes.core.http.ApiException;

/**
 * Request body checks with Nova's JSON-schema style messages ("Invalid input for field/attribute
 * name. Value: .... reason"), so that a client sees which field is wrong and why.
 */
final class Input {
    private Input() {}

    static ApiException invalid(String field, JsonNode value, String reason) {
        return ApiException.badRequest("Invalid input for field/attribute %s. Value: %s. %s", field,
                value == null || value.isMissingNode() ? "None" : value.isTextual() ? value.asText() : value.toString(), reason);
    }

    /** The object under key; 400 when it is missing or not an object. */
    static ObjectNode object(ObjectNode body, String key) {
        JsonNode node = body.get(key);
        if (node == null) {
            throw ApiException.badRequest("Invalid input for field/attribute %s. Value: None. '%s' is a required property", key, key);
        }
        if (!(node instanceof ObjectNode object)) {
            throw invalid(key, node, node + " is not of type 'object'");
        }
        return object;
    }

    /** 400 for keys the schema does not allow, as additionalProperties: false does. */
    static void only(ObjectNode node, Set<String> allowed) {
        Set<String> unexpected = new TreeSet<>();
        node.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                unexpected.add("'" + name + "'");
            }
        });
        if (!unexpected.isEmpty()) {
            throw ApiException.badRequest("Additional properties are not allowed (%s %s unexpected)",
                    String.join(", ", unexpected), unexpected.size() == 1 ? "was" : "were");
        }
    }

    /** A string of min..max characters, or null when absent and not required. */
    static String string(ObjectNode node, String field, int min, int max, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() && !required) {
            if (required) {
                throw ApiException.badRequest("Invalid input for field/attribute %s. Value: None. '%s' is a required property",
                        field, field);
            }
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field, value, value + " is not of type 'string'");
        }
        String text = value.asText();
        if (text.length() < min) {
            throw invalid(field, value, "'" + text + "' is too short");
        }
        if (text.length() > max) {
            throw invalid(field, value, "'" + text + "' is too long");
        }
        return text;
    }

    /** Nova's name rule: printable, and no leading or trailing white space. */
    static String name(ObjectNode node, String field, boolean required) {
        String name = string(node, field, 1, 255, required);
        if (name != null && (!name.strip().equals(name) || name.chars().anyMatch(Character::isISOControl))) {
            throw invalid(field, node.get(field), "Invalid input: leading/trailing whitespace or control characters are not allowed");
        }
        return name;
    }

    /** A string or an integer given as a reference (flavorRef may be either). */
    static String reference(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw ApiException.badRequest("Invalid input for field/attribute %s. Value: None. '%s' is a required property", field, field);
        }
        if (value.isIntegralNumber()) {
            return value.asText();
        }
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw invalid(field, value, value + " is not of type 'string', 'integer'");
        }
        return value.asText();
    }

    /** An integer at least min (from a JSON number or a numeric string, as Nova accepts). */
    static Integer integer(ObjectNode node, String field, int min) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        int number;
        if (value.isIntegralNumber() && value.canConvertToInt()) {
            number = value.asInt();
        } else if (value.isTextual() && value.asText().matches("-?\\d{1,9}")) {
            number = Integer.parseInt(value.asText());
        } else {
            throw invalid(field, value, value + " is not of type 'integer', 'string'");
        }
        if (number < min) {
            throw invalid(field, value, number + " is less than the minimum of " + min);
        }
        return number;
    }

    static Boolean bool(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isTextual()) {
            switch (value.asText().toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1", "yes", "on", "t", "y" -> {
                    return true;
                }
                case "false", "0", "no", "off", "f", "n" -> {
                    return false;
                }
                default -> { }
            }
        }
        throw invalid(field, value, value + " is not of type 'boolean', 'string'");
    }

    /** Server metadata: string keys of 1..255 and string values of 0..255 characters. */
    static Map<String, String> metadata(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw invalid(field, value, value + " is not of type 'object'");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (var entry : value.properties()) {
            String key = entry.getKey();
            if (key.isEmpty() || key.length() > 255) {
                throw invalid(field, value, "Additional properties are not allowed ('" + key + "' was unexpected)");
            }
            if (!entry.getValue().isTextual()) {
                throw invalid(field + "/" + key, entry.getValue(), entry.getValue() + " is not of type 'string'");
            }
            if (entry.getValue().asText().length() > 255) {
                throw invalid(field + "/" + key, entry.getValue(), "'" + entry.getValue().asText() + "' is too long");
            }
            metadata.put(key, entry.getValue().asText());
        }
        return metadata;
    }

    /** Server tags: at most 50, each 1..60 characters without '/' or ','. */
    static List<String> tags(JsonNode value, String field) {
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            throw invalid(field, value, value + " is not of type 'array'");
        }
        if (value.size() > 50) {
            throw invalid(field, value, value + " is too long");
        }
        List<String> tags = new ArrayList<>();
        for (JsonNode tag : value) {
            checkTag(field, tag);
            if (!tags.contains(tag.asText())) {
                tags.add(tag.asText());
            }
        }
        return tags;
    }

    static void checkTag(String field, JsonNode tag) {
        if (!tag.isTextual() || tag.asText().isEmpty() || tag.asText().length() > 60
                || tag.asText().contains("/") || tag.asText().contains(",")) {
            throw invalid(field, tag, "Tags must be strings of 1 to 60 characters without '/' or ','");
        }
    }
}
