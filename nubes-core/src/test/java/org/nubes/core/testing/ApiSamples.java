package org.nubes.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.nubes.core.json.Json;

/**
 * Recorded API samples: JSON files under src/test/resources/samples that show an answer as a
 * client gets it, with placeholders where values change from run to run. They document the wire
 * format and are golden tests: an answer must have exactly the sample's keys, at every level,
 * and every fixed value.
 *
 * <p>Placeholders (a whole JSON string): {@code %(id)s} 32 hex digits, {@code %(uuid)s} a
 * dashed UUID, {@code %(isotime)s} an ISO-8601 time, {@code %(url)s} an http URL,
 * {@code %(token)s} a Fernet token, {@code %(text)s} any string, {@code %(any)s} any value.
 * An array in a sample holds one element that every element of the answer must match (an empty
 * sample array means an empty answer).
 */
public final class ApiSamples {
    private static final Map<String, Pattern> PLACEHOLDERS = Map.of(
            "%(id)s", Pattern.compile("[0-9a-f]{32}"),
            "%(uuid)s", Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
            "%(isotime)s", Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:?\\d\\d)?"),
            "%(url)s", Pattern.compile("https?://\\S+"),
            "%(token)s", Pattern.compile("gAAAAA[A-Za-z0-9_-]+"),
            "%(text)s", Pattern.compile("(?s).*"));

    private ApiSamples() {}

    /** Checks an answer against samples/{name}.json on the test classpath. */
    public static void assertMatches(String name, JsonNode actual) {
        String resource = "/samples/" + name + ".json";
        JsonNode sample;
        try (InputStream in = ApiSamples.class.getResourceAsStream(resource)) {
            if (in == null) {
                fail("no sample " + resource + "; the answer was:\n" + Json.string(actual));
            }
            sample = Json.parse(in.readAllBytes());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> problems = new ArrayList<>();
        compare("$", sample, actual, problems);
        assertThat(problems).as("answer differs from sample %s:\n%s", resource, Json.string(actual)).isEmpty();
    }

    private static void compare(String path, JsonNode sample, JsonNode actual, List<String> problems) {
        if (sample.isTextual() && sample.asText().equals("%(any)s")) {
            return;
        }
        if (sample.isTextual() && PLACEHOLDERS.containsKey(sample.asText())) {
            if (!actual.isTextual() || !PLACEHOLDERS.get(sample.asText()).matcher(actual.asText()).matches()) {
                problems.add(path + ": expected " + sample.asText() + " but was " + actual);
            }
            return;
        }
        if (sample.isObject()) {
            if (!actual.isObject()) {
                problems.add(path + ": expected an object but was " + actual.getNodeType());
                return;
            }
            TreeSet<String> expected = names(sample);
            TreeSet<String> got = names(actual);
            if (!expected.equals(got)) {
                TreeSet<String> missing = new TreeSet<>(expected);
                missing.removeAll(got);
                TreeSet<String> extra = new TreeSet<>(got);
                extra.removeAll(expected);
                problems.add(path + ": keys missing " + missing + ", extra " + extra);
            }
            for (String key : expected) {
                if (actual.has(key)) {
                    compare(path + "." + key, sample.get(key), actual.get(key), problems);
                }
            }
            return;
        }
        if (sample.isArray()) {
            if (!actual.isArray()) {
                problems.add(path + ": expected an array but was " + actual.getNodeType());
            } else if (sample.isEmpty() != actual.isEmpty()) {
                problems.add(path + ": expected " + (sample.isEmpty() ? "an empty" : "a non-empty") + " array");
            } else if (!sample.isEmpty()) {
                for (int i = 0; i < actual.size(); i++) {
                    compare(path + "[" + i + "]", sample.get(0), actual.get(i), problems);
                }
            }
            return;
        }
        if (!sample.equals(actual)) {
            problems.add(path + ": expected " + sample + " but was " + actual);
        }
    }

    private static TreeSet<String> names(JsonNode node) {
        TreeSet<String> names = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
