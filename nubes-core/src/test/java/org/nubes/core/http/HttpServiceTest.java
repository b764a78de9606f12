package org.nubes.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.Target;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.ApiClient.Response;
import org.nubes.core.testing.RouteTables;
import org.slf4j.LoggerFactory;

/** The behaviour every Nubes API shares, set once in {@link HttpService} (DESIGN.md practices 2, 3 and 4). */
class HttpServiceTest {
    private static final Pattern REQUEST_ID =
            Pattern.compile("req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final String SECRET = "secret detail 4711";
    private static final AtomicInteger CREATE_CALLS = new AtomicInteger();

    /** The routes of the test service; also the expected route table. */
    static final Consumer<Routes> ROUTES = r -> r
            .get("/public", Access.PUBLIC, ctx -> Http.json(ctx, Map.of(
                    "virtual", Thread.currentThread().isVirtual(),
                    "requestId", Http.requestId(ctx))))
            .get("/things", Access.rule("things:list"), ctx -> Http.json(ctx, Map.of("user", Http.caller(ctx).userId())))
            .post("/things", Access.rule("things:create"), ctx -> {
                CREATE_CALLS.incrementAndGet();
                Http.json(ctx, 201, Map.of());
            })
            .get("/things/{user_id}", Access.rule("things:show"), ctx -> {
                Http.enforce(ctx, "things:show", Target.of("user_id", ctx.pathParam("user_id")));
                Http.json(ctx, Map.of("owner", ctx.pathParam("user_id")));
            })
            .get("/forgetful/{user_id}", Access.rule("things:show"), ctx -> Http.json(ctx, Map.of()))
            .get("/conflict", Access.PUBLIC, ctx -> {
                throw ApiException.conflict("Thing %s already exists.", "t1");
            })
            .get("/boom", Access.PUBLIC, ctx -> {
                throw new IllegalStateException(SECRET);
            })
            .post("/echo", Access.PUBLIC, ctx -> Http.json(ctx, 201, Http.jsonBody(ctx)))
            .get("/slash", Access.PUBLIC, ctx -> Http.json(ctx, Map.of("route", "/slash")))
            .get("/dir/", Access.PUBLIC, ctx -> Http.json(ctx, Map.of("route", "/dir/")))
            .getAndHead("/both", Access.PUBLIC, ctx -> Http.json(ctx, Map.of("route", "/both")));

    private static TestApi api;
    private static ApiClient anonymous;
    private static ApiClient member;

    private ListAppender<ILoggingEvent> log;

    @BeforeAll
    static void start() {
        api = TestApi.start(ROUTES);
        anonymous = api.anonymous();
        member = api.as(TestApi.GOOD);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @BeforeEach
    void captureLog() {
        log = new ListAppender<>();
        log.start();
        logger().addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        logger().detachAppender(log);
    }

    private static Logger logger() {
        return (Logger) LoggerFactory.getLogger(HttpService.class);
    }

    @Test
    void everyAnswerCarriesAFreshRequestId() {
        List<Response> answers = List.of(
                anonymous.get("/public"), anonymous.get("/public"), member.get("/things"),
                anonymous.get("/things"), member.post("/things", Map.of()), anonymous.get("/nowhere"),
                anonymous.delete("/public"), anonymous.get("/conflict"), anonymous.get("/boom"),
                anonymous.post("/echo", "{nope"), anonymous.head("/both"));

        assertThat(answers).allSatisfy(r ->
                assertThat(r.header("x-openstack-request-id")).as("%s", r).matches(REQUEST_ID));
        assertThat(answers.stream().map(r -> r.header("x-openstack-request-id")).distinct()).hasSize(answers.size());
    }

    @Test
    void theHandlerSeesTheRequestIdItAnswersWith() {
        Response r = anonymous.get("/public");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("requestId").asText()).isEqualTo(r.header("x-openstack-request-id"));
    }

    @Test
    void handlersRunOnVirtualThreads() {
        assertThat(anonymous.get("/public").json().path("virtual").asBoolean()).isTrue();
    }

    @Test
    void aRuleRouteWithoutTokenIs401WithWwwAuthenticateNamingThisService() {
        Response r = anonymous.get("/things");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Keystone uri=\"" + api.url() + "\"");
        assertThat(fault(r).path("code").asInt()).isEqualTo(401);
        assertThat(fault(r).path("kind").asText()).isEqualTo("UNAUTHORIZED");
    }

    @Test
    void aBlankTokenIsNoToken() {
        Response r = api.as("   ").get("/things");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("Keystone uri=");
    }

    @Test
    void anInvalidTokenIs401WithTheValidatorsMessage() {
        Response r = api.as("bad").get("/things");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Keystone uri=\"" + api.url() + "\"");
        assertThat(fault(r).path("message").asText()).isEqualTo("The token bad is not valid.");
    }

    @Test
    void theWwwAuthenticateHeaderNamesTheIdentityServiceWhenOneIsConfigured() {
        try (TestApi other = TestApi.start(1 << 20, "http://keystone.example:5000/v3", ROUTES)) {
            Response r = other.anonymous().get("/things");

            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).isEqualTo("Keystone uri=\"http://keystone.example:5000/v3\"");
        }
    }

    @Test
    void aPublicRouteNeedsNoToken() {
        assertThat(anonymous.get("/public").status()).isEqualTo(200);
        assertThat(anonymous.get("/public").header("WWW-Authenticate")).isNull();
    }

    @Test
    void aRuleThatAllowsLetsTheCallerThrough() {
        Response r = member.get("/things");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("user").asText()).isEqualTo("u1");
    }

    @Test
    void aRuleThatDeniesIs403BeforeTheHandlerRuns() {
        int before = CREATE_CALLS.get();

        Response r = member.post("/things", Map.of("thing", Map.of()));

        assertThat(r.status()).isEqualTo(403);
        assertThat(fault(r).path("kind").asText()).isEqualTo("FORBIDDEN");
        assertThat(fault(r).path("message").asText()).contains("things:create");
        assertThat(CREATE_CALLS.get()).isEqualTo(before);
    }

    @Test
    void aTargetedRuleIsEnforcedByTheHandlerAgainstTheResource() {
        assertThat(member.get("/things/u1").status()).isEqualTo(200);
        assertThat(member.get("/things/u1").json().path("owner").asText()).isEqualTo("u1");

        Response other = member.get("/things/u2");
        assertThat(other.status()).isEqualTo(403);
        assertThat(fault(other).path("message").asText()).contains("things:show");
    }

    @Test
    void aTargetedRuleStillNeedsAValidToken() {
        assertThat(anonymous.get("/things/u1").status()).isEqualTo(401);
        assertThat(api.as("bad").get("/things/u1").status()).isEqualTo(401);
    }

    @Test
    void aHandlerThatForgetsItsTargetedRuleIsLoggedAsABug() {
        Response r = member.get("/forgetful/u2");

        assertThat(r.status()).isEqualTo(200);
        assertThat(errors()).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                .contains("without enforcing its policy rule")
                .contains(r.header("x-openstack-request-id")));
    }

    @Test
    void anApiExceptionIsRenderedByTheServicesFaultRenderer() {
        Response r = anonymous.get("/conflict");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().properties()).extracting(Map.Entry::getKey).containsExactly("testFault");
        assertThat(fault(r).path("code").asInt()).isEqualTo(409);
        assertThat(fault(r).path("kind").asText()).isEqualTo("CONFLICT");
        assertThat(fault(r).path("message").asText()).isEqualTo("Thing t1 already exists.");
    }

    @Test
    void clientErrorsAreNotLoggedAsProblems() {
        anonymous.get("/conflict");
        anonymous.get("/things");
        member.post("/things", Map.of());
        anonymous.get("/nowhere");
        anonymous.post("/echo", "{nope");

        assertThat(log.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
    }

    @Test
    void anUnexpectedExceptionIs500WithoutItsTextAndIsLoggedOnceWithTheRequestId() {
        Response r = anonymous.get("/boom");

        assertThat(r.status()).isEqualTo(500);
        assertThat(r.text()).doesNotContain(SECRET).doesNotContain("IllegalStateException");
        assertThat(fault(r).path("code").asInt()).isEqualTo(500);
        assertThat(fault(r).path("kind").asText()).isEqualTo("INTERNAL");
        assertThat(fault(r).path("message").asText()).isNotBlank();
        assertThat(errors()).singleElement().satisfies(e -> {
            assertThat(e.getFormattedMessage()).contains(r.header("x-openstack-request-id"));
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo(SECRET);
        });
    }

    @Test
    void trailingSlashesAreSignificant() {
        assertThat(anonymous.get("/slash").status()).isEqualTo(200);
        Response withSlash = anonymous.get("/slash/");
        assertThat(withSlash.status()).isEqualTo(404);
        assertThat(fault(withSlash).path("code").asInt()).isEqualTo(404);

        assertThat(anonymous.get("/dir/").status()).isEqualTo(200);
        assertThat(anonymous.get("/dir/").json().path("route").asText()).isEqualTo("/dir/");
        assertThat(anonymous.get("/dir").status()).isEqualTo(404);
    }

    @Test
    void multipleSlashesAreNotFolded() {
        assertThat(anonymous.get("//slash").status()).isEqualTo(404);
    }

    @Test
    void anUnknownPathIs404InTheServicesFormat() {
        Response r = anonymous.get("/nowhere");

        assertThat(r.status()).isEqualTo(404);
        assertThat(fault(r).path("code").asInt()).isEqualTo(404);
        assertThat(fault(r).path("kind").asText()).isEqualTo("NOT_FOUND");
    }

    @Test
    void aWrongMethodOnAnExistingPathIs405NotFound404() {
        Response r = anonymous.delete("/public");

        assertThat(r.status()).isEqualTo(405);
        assertThat(fault(r).path("code").asInt()).isEqualTo(405);
        assertThat(fault(r).path("kind").asText()).isEqualTo("METHOD_NOT_ALLOWED");

        assertThat(anonymous.put("/things", Map.of()).status()).isEqualTo(405);
        assertThat(anonymous.send("PATCH", "/things/u1", Map.of()).status()).isEqualTo(405);
    }

    @Test
    void headAnswersLikeGetWithoutBody() {
        Response get = anonymous.get("/both");
        Response head = anonymous.head("/both");

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.text()).isEmpty();
        assertThat(get.json().path("route").asText()).isEqualTo("/both");
    }

    @Test
    void aJsonBodyIsReadAsAnObject() {
        Response r = anonymous.post("/echo", Map.of("thing", Map.of("name", "t1")));

        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("thing").path("name").asText()).isEqualTo("t1");
    }

    @Test
    void aMalformedJsonBodyIs400() {
        Response r = anonymous.post("/echo", "{\"thing\": ");

        assertThat(r.status()).isEqualTo(400);
        assertThat(fault(r).path("kind").asText()).isEqualTo("BAD_REQUEST");
        assertThat(fault(r).path("message").asText()).containsIgnoringCase("JSON");
    }

    @Test
    void aBodyThatIsNotAnObjectOrIsEmptyIs400() {
        assertThat(anonymous.post("/echo", "[1, 2]").status()).isEqualTo(400);
        assertThat(anonymous.post("/echo", "\"text\"").status()).isEqualTo(400);
        assertThat(anonymous.send("POST", "/echo", null).status()).isEqualTo(400);
    }

    @Test
    void aBodyLargerThanMaxRequestBytesIs413() {
        try (TestApi small = TestApi.start(1024, null, ROUTES)) {
            ApiClient client = small.anonymous();
            assertThat(client.post("/echo", Map.of("data", "x".repeat(900))).status()).isEqualTo(201);

            Response r = client.post("/echo", Map.of("data", "x".repeat(2000)));

            assertThat(r.status()).isEqualTo(413);
            assertThat(fault(r).path("code").asInt()).isEqualTo(413);
            assertThat(fault(r).path("kind").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
            assertThat(r.header("x-openstack-request-id")).matches(REQUEST_ID);
        }
    }

    @Test
    void theRouteTableListsEveryRouteWithItsAccess() {
        assertThat(api.http().routeTable()).containsExactly(
                new Routes.Route(HandlerType.GET, "/public", Access.PUBLIC),
                new Routes.Route(HandlerType.GET, "/things", Access.rule("things:list")),
                new Routes.Route(HandlerType.POST, "/things", Access.rule("things:create")),
                new Routes.Route(HandlerType.GET, "/things/{user_id}", Access.rule("things:show")),
                new Routes.Route(HandlerType.GET, "/forgetful/{user_id}", Access.rule("things:show")),
                new Routes.Route(HandlerType.GET, "/conflict", Access.PUBLIC),
                new Routes.Route(HandlerType.GET, "/boom", Access.PUBLIC),
                new Routes.Route(HandlerType.POST, "/echo", Access.PUBLIC),
                new Routes.Route(HandlerType.GET, "/slash", Access.PUBLIC),
                new Routes.Route(HandlerType.GET, "/dir/", Access.PUBLIC),
                new Routes.Route(HandlerType.GET, "/both", Access.PUBLIC),
                new Routes.Route(HandlerType.HEAD, "/both", Access.PUBLIC));
    }

    /** DESIGN.md practice 3, for the test service; each service module has the same walk. */
    @Test
    void everyRouteJavalinKnowsDeclaresExactlyOneAccessAndItsRuleExists() {
        HttpService http = new HttpService(TestApi.service(ROUTES), settings());

        assertThat(RouteTables.assertEveryRouteDeclaresAccess(http)).hasSize(12);
    }

    @Test
    void aRouteWithoutAccessDoesNotRegister() {
        HttpService http = new HttpService(TestApi.service(r -> r.get("/open", null, ctx -> Http.json(ctx, Map.of()))),
                settings());

        assertThatThrownBy(http::build)
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("/open")
                .hasMessageContaining("declares no access");
    }

    private static HttpService.Settings settings() {
        return new HttpService.Settings("127.0.0.1", 1 << 20, TestApi.TOKENS, null);
    }

    private List<ILoggingEvent> errors() {
        return log.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
    }

    private static JsonNode fault(Response r) {
        JsonNode body = r.json();
        assertThat(body.has("testFault")).as("fault body %s", r.text()).isTrue();
        return body.path("testFault");
    }
}
