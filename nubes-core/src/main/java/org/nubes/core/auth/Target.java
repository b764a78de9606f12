package org.nubes.core.auth;

import java.util.HashMap;
import java.util.Map;

/** The attributes of the resource a policy rule is checked against, e.g. {@code domain_id}. */
public record Target(Map<String, String> attributes) {
    public static final Target NONE = new Target(Map.of());

    public Target {
        attributes = Map.copyOf(attributes);
    }

    /** Pairs of key and value; null values are dropped. */
    public static Target of(String... pairs) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                map.put(pairs[i], pairs[i + 1]);
            }
        }
        return new Target(map);
    }

    public String get(String key) {
        return attributes.get(key);
    }
}
