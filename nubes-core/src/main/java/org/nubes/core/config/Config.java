package org.nubes.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The effective configuration: defaults from {@link Settings}, then {@code nubes.yaml}, then
 * {@code NUBES_*} environment variables, then explicit overrides (command-line flags). An unknown
 * key fails with the nearest known key as a suggestion. Typed views are records built from it.
 */
public final class Config {
    private final Map<String, String> values;

    private Config(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Config defaults() {
        return load(null, Map.of(), Map.of());
    }

    /**
     * @param yaml the nubes.yaml file, or null; a missing file is fine
     * @param environment usually System.getenv()
     * @param overrides keys set on the command line, applied last
     */
    public static Config load(Path yaml, Map<String, String> environment, Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>();
        Settings.ALL.forEach(s -> values.put(s.key(), s.defaultValue()));
        if (yaml != null && Files.isRegularFile(yaml)) {
            readYaml(yaml).forEach((key, value) -> values.put(known(key, yaml.toString()), value));
        }
        environment.forEach((name, value) -> {
            if (name.startsWith("NUBES_") && !name.startsWith("NUBES_TEST_")) {
                values.put(fromEnvironment(name), value);
            }
        });
        overrides.forEach((key, value) -> values.put(known(key, "the command line"), value));
        return new Config(values);
    }

    public Config with(String key, String value) {
        Map<String, String> copy = new HashMap<>(values);
        copy.put(known(key, "code"), value);
        return new Config(copy);
    }

    public String string(String key) {
        if (!Settings.isKnown(key)) {
            throw new IllegalArgumentException("not a configuration key: " + key);
        }
        return values.get(key);
    }

    public int integer(String key) {
        String value = string(key);
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException("%s must be an integer, not '%s'".formatted(key, value));
        }
    }

    public Duration seconds(String key) {
        return Duration.ofSeconds(integer(key));
    }

    public Path path(String key) {
        return Path.of(string(key));
    }

    private static Map<String, String> readYaml(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException("cannot read %s: %s".formatted(file, e.getMessage()));
        }
        Map<String, String> flat = new HashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            flatten("", root, flat);
        }
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), into);
            }
        } else {
            into.put(prefix, node.isNull() ? "" : node.asText());
        }
    }

    private static String known(String key, String where) {
        if (!Settings.isKnown(key)) {
            throw new ConfigException("unknown configuration key '%s' in %s; did you mean '%s'?"
                    .formatted(key, where, nearest(key)));
        }
        return key;
    }

    private static String fromEnvironment(String name) {
        return Settings.ALL.stream()
                .filter(s -> s.environmentName().equals(name))
                .map(Setting::key)
                .findFirst()
                .orElseThrow(() -> new ConfigException("unknown configuration variable %s; did you mean %s?"
                        .formatted(name, Settings.get(nearest(name.substring(6).toLowerCase().replace('_', '.'))).environmentName())));
    }

    static String nearest(String key) {
        return Settings.ALL.stream()
                .map(Setting::key)
                .min(Comparator.comparingInt(k -> distance(k, key)))
                .orElseThrow();
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
