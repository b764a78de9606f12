package org.nubes.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.auth.Access;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.ApiClient.Response;

/** Marker/limit paging on a real request, through {@link HttpService}. */
class PageRequestTest {
    private static final int MAX = 50;
    private static TestApi api;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        api = TestApi.start(r -> r.get("/items", Access.PUBLIC, ctx -> {
            PageRequest page = PageRequest.of(ctx, MAX);
            var body = Json.object().put("limit", page.limit()).put("marker", page.marker())
                    .put("next", page.nextLink(ctx, "id 9/&"));
            Http.json(ctx, body);
        }));
        client = api.anonymous();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void withoutParametersTheLimitIsTheMaximumAndThereIsNoMarker() {
        JsonNode page = client.get("/items").json();

        assertThat(page.path("limit").asInt()).isEqualTo(MAX);
        assertThat(page.path("marker").isNull()).isTrue();
    }

    @Test
    void limitAndMarkerAreRead() {
        JsonNode page = client.get("/items?limit=5&marker=abc").json();

        assertThat(page.path("limit").asInt()).isEqualTo(5);
        assertThat(page.path("marker").asText()).isEqualTo("abc");
    }

    @Test
    void theMaximumCapsTheLimit() {
        assertThat(client.get("/items?limit=1000").json().path("limit").asInt()).isEqualTo(MAX);
        assertThat(client.get("/items?limit=50").json().path("limit").asInt()).isEqualTo(MAX);
    }

    @Test
    void zeroIsAValidLimit() {
        assertThat(client.get("/items?limit=0").json().path("limit").asInt()).isZero();
    }

    @Test
    void aLimitThatIsNotANonNegativeIntegerIs400() {
        for (String limit : new String[] {"abc", "-1", "1.5", "", "99999999999"}) {
            Response r = client.get("/items?limit=" + limit);

            assertThat(r.status()).as("limit=%s", limit).isEqualTo(400);
            assertThat(r.json().path("testFault").path("message").asText()).as("limit=%s", limit).contains("limit");
        }
    }

    @Test
    void theNextLinkRepeatsTheQueryWithTheNewMarker() {
        Response r = client.get("/items?name=a%20b&limit=2&marker=old&tag=x&tag=y");
        URI next = URI.create(r.json().path("next").asText());

        assertThat(next.getScheme() + "://" + next.getRawAuthority()).isEqualTo(api.url());
        assertThat(next.getRawPath()).isEqualTo("/items");
        Map<String, List<String>> query = query(next);
        assertThat(query).containsOnlyKeys("name", "limit", "tag", "marker");
        assertThat(query.get("name")).containsExactly("a b");
        assertThat(query.get("limit")).containsExactly("2");
        assertThat(query.get("tag")).containsExactly("x", "y");
        assertThat(query.get("marker")).containsExactly("id 9/&");
    }

    @Test
    void theNextLinkOfAPlainListHasOnlyTheMarker() {
        URI next = URI.create(client.get("/items").json().path("next").asText());

        assertThat(query(next)).containsOnlyKeys("marker");
    }

    @Test
    void theNextLinkUsesTheHostTheClientAskedFor() {
        // The JDK client does not let a test set Host, so this checks the link follows the request's address.
        Response r = new ApiClient("http://localhost:" + api.http().port(), null).get("/items");

        assertThat(r.json().path("next").asText()).startsWith("http://localhost:" + api.http().port() + "/items?");
    }

    @Test
    void onlyAFullPageHasASuccessor() {
        PageRequest page = new PageRequest(3, null);

        assertThat(page.isFull(3)).isTrue();
        assertThat(page.isFull(2)).isFalse();
        assertThat(page.isFull(0)).isFalse();
        assertThat(new PageRequest(0, null).isFull(0)).isFalse();
    }

    private static Map<String, List<String>> query(URI uri) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            out.computeIfAbsent(decode(kv[0]), k -> new ArrayList<>()).add(kv.length > 1 ? decode(kv[1]) : "");
        }
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
