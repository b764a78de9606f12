package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.nubes.core.http.ApiException;

/**
 * The attributes of one create or update request ({"network": {...}}), checked the way Neutron's
 * attribute maps check them: unknown keys, read-only keys and wrong types are 400s.
 */
public final class Input {
    private static final Set<String> READ_ONLY = Set.of("id", "status", "tenant_id", "project_id", "created_at",
            "updated_at", "revision_number", "tags");

    private final ObjectNode attributes;

    private Input(ObjectNode attributes) {
        this.attributes = attributes;
    }

    /** The resource's object of the request; writable lists what the operation may set. */
    public static Input of(JsonNode request, String resource, String operation, Set<String> writable) {
        JsonNode inner = request == null ? null : request.get(resource);
        if (!(inner instanceof ObjectNode object)) {
            throw ApiException.badRequest("Resource body required");
        }
        Set<String> unknown = new TreeSet<>();
        object.fieldNames().forEachRemaining(name -> {
            if (!writable.contains(name)) {
                unknown.add(name);
            }
        });
        for (String name : unknown) {
            if (READ_ONLY.contains(name)) {
                throw ApiException.badRequest("Attribute '%s' not allowed in %s", name, operation);
            }
        }
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("Unrecognized attribute(s) '%s'", String.join(", ", unknown));
        }
        return new Input(object);
    }

    /** The attributes an update may set, and those only a create may set besides. */
    static Set<String> union(Set<String> update, String... createOnly) {
        Set<String> all = new java.util.HashSet<>(update);
        all.addAll(List.of(createOnly));
        return Set.copyOf(all);
    }

    public static Input of(ObjectNode attributes) {
        return new Input(attributes);
    }

    public boolean has(String key) {
        return attributes.has(key);
    }

    public JsonNode node(String key) {
        return attributes.get(key);
    }

    /** A string attribute; null is a value only for attributes whose default is null. */
    public String string(String key, String fallback) {
        JsonNode value = attributes.get(key);
        if (value == null) {
            return fallback;
        }
        if (value.isNull()) {
            if (fallback != null) {
                throw NeutronError.badAttribute(key, "'None' is not a valid string");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw NeutronError.badAttribute(key, "'%s' is not a valid string", value);
        }
        if (value.asText().length() > 255) {
            throw NeutronError.badAttribute(key, "'%s' exceeds maximum length of 255", value.asText());
        }
        return value.asText();
    }

    public String required(String key) {
        String value = string(key, null);
        if (value == null) {
            throw ApiException.badRequest("Failed to parse request. Required attribute '%s' not specified", key);
        }
        return value;
    }

    /** Neutron also takes "true"/"false" (any case) and 0/1 for booleans. */
    public boolean bool(String key, boolean fallback) {
        JsonNode value = attributes.get(key);
        if (value == null) {
            return fallback;
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        String text = value.asText().toLowerCase();
        return switch (text) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw NeutronError.badAttribute(key, "'%s' cannot be converted to boolean", value.asText());
        };
    }

    public int integer(String key, int fallback) {
        JsonNode value = attributes.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (value.canConvertToInt() || (value.isTextual() && value.asText().matches("-?\\d{1,9}"))) {
            return value.isTextual() ? Integer.parseInt(value.asText()) : value.asInt();
        }
        throw NeutronError.badAttribute(key, "'%s' is not an integer", value);
    }

    /** A list attribute (null when absent or null). */
    public ArrayNode list(String key) {
        JsonNode value = attributes.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!(value instanceof ArrayNode array)) {
            throw NeutronError.badAttribute(key, "'%s' is not a list", value);
        }
        return array;
    }

    public List<String> strings(String key) {
        ArrayNode list = list(key);
        List<String> values = new ArrayList<>();
        if (list != null) {
            for (JsonNode item : list) {
                if (!item.isTextual()) {
                    throw NeutronError.badAttribute(key, "'%s' is not a valid string", item);
                }
                values.add(item.asText());
            }
        }
        return values;
    }

    /** An IP address attribute, or a 400 naming it. */
    public static Ip ip(String attribute, JsonNode value) {
        String text = value == null || !value.isTextual() ? String.valueOf(value) : value.asText();
        return Ip.parse(text).orElseThrow(() -> NeutronError.badAttribute(attribute, "'%s' is not a valid IP address", text));
    }
}
