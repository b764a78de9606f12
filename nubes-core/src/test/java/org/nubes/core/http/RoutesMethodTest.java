package org.nubes.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.http.HandlerType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.nubes.core.auth.Access;
import org.nubes.core.testing.RouteTables;

/** {@link Routes#method}: a route for a method outside HTTP's standard set (Swift's COPY) works through Jetty. */
class RoutesMethodTest {
    private static final Consumer<Routes> ROUTES = r -> r
            .method("COPY", "/things/{id}", Access.PUBLIC, ctx -> Http.json(ctx, 201, Map.of(
                    "method", ctx.method().name(), "id", ctx.pathParam("id"),
                    "destination", String.valueOf(ctx.header("Destination")))))
            .method("get", "/plain", Access.PUBLIC, ctx -> Http.json(ctx, Map.of("route", "/plain")));

    @Test
    void anUnknownMethodIsRoutedToItsHandler() throws Exception {
        try (TestApi api = TestApi.start(ROUTES); HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> copy = client.send(HttpRequest.newBuilder(URI.create(api.url() + "/things/t1"))
                    .method("COPY", HttpRequest.BodyPublishers.noBody()).header("Destination", "c/o").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(copy.statusCode()).isEqualTo(201);
            assertThat(copy.body()).contains("\"method\":\"COPY\"").contains("\"id\":\"t1\"").contains("\"destination\":\"c/o\"");

            HttpResponse<String> plain = client.send(HttpRequest.newBuilder(URI.create(api.url() + "/plain")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(plain.statusCode()).isEqualTo(200);

            HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create(api.url() + "/plain"))
                    .method("COPY", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isIn(404, 405);
        }
    }

    @Test
    void theRouteTableNamesTheMethod() {
        HttpService http = new HttpService(TestApi.service(ROUTES),
                new HttpService.Settings("127.0.0.1", 1 << 20, TestApi.TOKENS, null));

        assertThat(RouteTables.assertEveryRouteDeclaresAccess(http)).containsExactly(
                new Routes.Route(HandlerType.findOrCreate("COPY"), "/things/{id}", Access.PUBLIC),
                new Routes.Route(HandlerType.GET, "/plain", Access.PUBLIC));
    }
}
