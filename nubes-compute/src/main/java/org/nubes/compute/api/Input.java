package org.nubes.compute.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.nubes.compute.service.RequestedNetworks;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;

/**
 * Request checks with the 400 messages of Nova's JSON-schema validation ("Invalid input for
 * field/attribute name. Value: .... reason"), so that a client sees which field is wrong and why.
 */
final class Input {
    /** Printable, no leading or trailing white space: Nova's "name" format. */
    private static final Pattern NAME = Pattern.compile(
            "^(?![\\s\\p{Zs}])[^\\p{Cc}\\p{Cf}\\p{Cs}\\p{Co}\\p{Cn}\\p{Zl}\\p{Zp}]*(?<![\\s\\p{Zs}])$");
    private static final Pattern DIGITS = Pattern.compile("^[0-9]+$");

    private Input() {}

    private static final Pattern UUID = Pattern.compile("^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$");

    /** A UUID, with or without dashes, as Nova's 'uuid' format accepts. */
    static boolean isUuid(String value) {
        return UUID.matcher(value).matches();
    }

    /** An IPv4 or IPv6 address literal (never a host name: nothing is looked up). */
    static boolean isIpAddress(String value) {
        try {
            java.net.InetAddress.ofLiteral(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A network a server create lists, or an interface attach names: a port (a network id with it
     * is ignored), or a network with maybe a fixed IP. As Nova, a fixed IP is refused with a port,
     * which has its addresses already.
     */
    static RequestedNetworks.Requested requestedNetwork(String networkId, String portId, String fixedIp) {
        if (portId != null) {
            if (fixedIp != null) {
                throw ApiException.badRequest("Specified Fixed IP '%s' cannot be used with port '%s': the two cannot be "
                        + "specified together.", fixedIp, portId);
            }
            if (!isUuid(portId)) {
                throw invalid("port", Json.MAPPER.getNodeFactory().textNode(portId), "'" + portId + "' is not a 'uuid'");
            }
            return new RequestedNetworks.Requested(null, portId, null);
        }
        if (networkId == null) {
            throw ApiException.badRequest("Bad network format: missing 'uuid'");
        }
        if (!isUuid(networkId)) {
            throw ApiException.badRequest("Bad networks format: network uuid is not in proper format (%s)", networkId);
        }
        if (fixedIp != null && !isIpAddress(fixedIp)) {
            throw ApiException.badRequest("Invalid fixed IP address (%s)", fixedIp);
        }
        return new RequestedNetworks.Requested(networkId, null, fixedIp);
    }

    static ApiException invalid(String field, JsonNode value, String reason) {
        return ApiException.badRequest("Invalid input for field/attribute %s. Value: %s. %s", field, show(value), reason);
    }

    static ApiException invalidQuery(String param, String value, String reason) {
        return ApiException.badRequest("Invalid input for query parameters %s. Value: %s. %s", param, value, reason);
    }

    private static String show(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "None";
        }
        return value.isTextual() ? value.asText() : Json.string(value);
    }

    /** The body's one top-level object, e.g. {"flavor": {...}}; 400 when missing or with other keys. */
    static ObjectNode wrapped(Context ctx, String key) {
        ObjectNode body = org.nubes.core.http.Http.jsonBody(ctx);
        only(body, Set.of(key));
        JsonNode inner = body.get(key);
        if (inner == null) {
            throw ApiException.badRequest("Invalid input for field/attribute %s. Value: %s. '%s' is a required property",
                    key, Json.string(body), key);
        }
        if (!inner.isObject()) {
            throw invalid(key, inner, show(inner) + " is not of type 'object'");
        }
        return (ObjectNode) inner;
    }

    /** 400 for a key not in the schema (additionalProperties false). */
    static void only(ObjectNode node, Collection<String> allowed) {
        List<String> extra = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                extra.add("'" + name + "'");
            }
        }
        if (!extra.isEmpty()) {
            throw ApiException.badRequest("Additional properties are not allowed (%s %s unexpected)",
                    String.join(", ", extra), extra.size() == 1 ? "was" : "were");
        }
    }

    static JsonNode required(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw ApiException.badRequest("Invalid input for field/attribute %s. Value: None. '%s' is a required property",
                    field, field);
        }
        return value;
    }

    /** A name of 1..max printable characters that does not start or end with white space. */
    static String name(ObjectNode node, String field, int max) {
        JsonNode value = required(node, field);
        if (!value.isTextual()) {
            throw invalid(field, value, show(value) + " is not of type 'string'");
        }
        String text = value.asText();
        if (text.isEmpty()) {
            throw invalid(field, value, "'' is too short");
        }
        if (text.codePointCount(0, text.length()) > max) {
            throw invalid(field, value, "'" + text + "' is too long");
        }
        if (!NAME.matcher(text).matches()) {
            throw ApiException.badRequest("Invalid input for field/attribute %s. Value: %s. "
                    + "An invalid 'name' value was provided. The name must be: printable characters. "
                    + "Can not start or end with whitespace.", field, text);
        }
        return text;
    }

    /**
     * An integer given as a JSON integer or a string of digits, from min to 2^31-1 (Nova's flavor
     * sizes); null when absent.
     */
    static Integer integer(ObjectNode node, String field, int min) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        long number;
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong()) {
                throw invalid(field, value, show(value) + " is greater than the maximum of 2147483647");
            }
            number = value.asLong();
        } else if (value.isTextual() && DIGITS.matcher(value.asText()).matches()) {
            try {
                number = Long.parseLong(value.asText());
            } catch (NumberFormatException e) {
                number = Long.MAX_VALUE;
            }
        } else if (value.isTextual()) {
            throw invalid(field, value, "'" + value.asText() + "' does not match '^[0-9]+$'");
        } else {
            throw invalid(field, value, show(value) + " is not of type 'integer', 'string'");
        }
        if (number < min) {
            throw invalid(field, value, show(value) + " is less than the minimum of " + min);
        }
        if (number > Integer.MAX_VALUE) {
            throw invalid(field, value, show(value) + " is greater than the maximum of 2147483647");
        }
        return (int) number;
    }

    /** Nova's parameter_types.boolean: true/false or one of their spellings; null when absent. */
    static Boolean bool(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isTextual()) {
            Boolean parsed = parseBool(value.asText());
            if (parsed != null) {
                return parsed;
            }
        }
        throw invalid(field, value, show(value) + " is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', "
                + "'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']");
    }

    private static Boolean parseBool(String text) {
        return switch (text) {
            case "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes" -> Boolean.TRUE;
            case "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** oslo's strict bool_from_string, for query parameters; null when it is neither. */
    static Boolean strictBool(String text) {
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "t", "true", "on", "y", "yes" -> Boolean.TRUE;
            case "0", "f", "false", "off", "n", "no" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** A string field, or null when absent; 400 when it is not a string. */
    static String string(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field, value, show(value) + " is not of type 'string'");
        }
        return value.asText();
    }

    /** A non-negative integer query parameter (limit); null when absent. */
    static Integer queryInt(Context ctx, String param) {
        String text = ctx.queryParam(param);
        if (text == null) {
            return null;
        }
        if (!DIGITS.matcher(text).matches()) {
            throw invalidQuery(param, text, "'" + text + "' does not match '^[0-9]*$'");
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static final java.time.format.DateTimeFormatter TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    /** A time as Nova's JSON writes a naive UTC datetime: always six digits of fraction, no zone; null stays null. */
    static String time(java.time.Instant instant) {
        return instant == null ? null
                : TIME.format(java.time.LocalDateTime.ofInstant(instant, java.time.ZoneOffset.UTC));
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

    /** A name as {@link #name(ObjectNode, String, int)} with Nova's 255, or null when absent and optional. */
    static String name(ObjectNode node, String field, boolean required) {
        return !required && !node.has(field) ? null : name(node, field, 255);
    }
}
