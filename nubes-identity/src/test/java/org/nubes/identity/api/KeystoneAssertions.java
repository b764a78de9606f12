package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/**
 * What the identity API tests share to read and check Keystone answers, and to build small request
 * bodies; used through a static import. None of it needs a server.
 */
final class KeystoneAssertions {
    private KeystoneAssertions() {
    }

    /** A name unique to this run: the prefix, a dash and eight hex digits. */
    static String uniq(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The field names of an object, sorted. */
    static Set<String> keys(JsonNode node) {
        Set<String> keys = new TreeSet<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** The text of a field of each element of an array, in order; field null: of each element itself. */
    static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(field == null ? n.asText() : n.path(field).asText()));
        return out;
    }

    /** The "id" of each element of an array, in order. */
    static List<String> ids(JsonNode items) {
        return texts(items, "id");
    }

    /** {key: resource}, the envelope of every Keystone request and answer body. */
    static ObjectNode wrap(String key, ObjectNode resource) {
        ObjectNode body = Json.object();
        body.set(key, resource);
        return body;
    }

    /** The scope of an auth request to the project with this id. */
    static String projectScope(String projectId) {
        return "{\"project\": {\"id\": \"%s\"}}".formatted(projectId);
    }

    /**
     * A Keystone error answer with this status and title: a body of exactly {"error": {code,
     * message, title}} with a message, and for 401 the Keystone challenge.
     */
    static void assertFault(ApiClient.Response r, int status, String title) {
        JsonNode error = assertError(r, status);
        assertThat(error.path("title").asText()).isEqualTo(title);
        if (status == 401) {
            assertThat(r.header("WWW-Authenticate")).startsWith("Keystone uri=");
        }
    }

    /** A Keystone error answer with this status and some title (the challenge of a 401 unchecked). */
    static void assertFault(ApiClient.Response r, int status) {
        JsonNode error = assertError(r, status);
        assertThat(error.path("title").asText()).isNotBlank();
    }

    /** A 400 for a request body that fails validation. */
    static void assertInvalid(ApiClient.Response r) {
        assertFault(r, 400, "Bad Request");
        assertThat(r.json().path("error").path("message").asText()).contains("Invalid input for field");
    }

    /** Checks the status and the error body but its title; answers the error object. */
    private static JsonNode assertError(ApiClient.Response r, int status) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        JsonNode error = r.json().path("error");
        assertThat(keys(error)).containsExactlyInAnyOrder("code", "message", "title");
        assertThat(error.path("code").asInt()).isEqualTo(status);
        assertThat(error.path("message").asText()).isNotBlank();
        return error;
    }
}
