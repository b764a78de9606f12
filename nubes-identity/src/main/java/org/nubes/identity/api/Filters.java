package org.nubes.identity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/** Keystone's list filters: an attribute given in the query must equal the rendered attribute. */
final class Filters {
    private Filters() {}

    static List<ObjectNode> apply(Context ctx, List<ObjectNode> items, Set<String> attributes) {
        List<ObjectNode> out = items;
        for (String attribute : attributes) {
            String wanted = ctx.queryParam(attribute);
            if (wanted != null) {
                out = out.stream().filter(n -> matches(n.get(attribute), wanted)).toList();
            }
        }
        return out;
    }

    private static boolean matches(JsonNode value, String wanted) {
        if (value == null || value.isNull()) {
            return false;
        }
        if (value.isBoolean()) {
            return value.asBoolean() == truthy(wanted);
        }
        return value.asText().equals(wanted);
    }

    /** Keystone reads "0", "false", "f", "n", "no", "off" as false, anything else as true. */
    static boolean truthy(String text) {
        return !Set.of("0", "false", "f", "n", "no", "off").contains(text.strip().toLowerCase());
    }
}
