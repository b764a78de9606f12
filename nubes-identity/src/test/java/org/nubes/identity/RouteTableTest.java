package org.nubes.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.auth.Access;
import org.nubes.core.http.HttpService;
import org.nubes.core.http.Routes;
import org.nubes.core.testing.RouteTables;

/** DESIGN.md practice 3 for the identity API: every route declares who may call it. */
class RouteTableTest {
    /** What Keystone answers without a token: version discovery, authentication and signed EC2/S3 requests. */
    private static final Set<String> PUBLIC = Set.of(
            "GET /", "HEAD /", "GET /v3", "HEAD /v3", "GET /v3/", "HEAD /v3/", "POST /v3/auth/tokens", "POST /v3/ec2tokens", "POST /v3/s3tokens",
            "POST /v3/users/{user_id}/password");

    private static IdentityTestServer server;
    private static List<Routes.Route> table;

    @BeforeAll
    static void build() {
        server = new IdentityTestServer();
        HttpService http = new HttpService(server.identity(),
                new HttpService.Settings("127.0.0.1", 1 << 20, server.identity().tokenValidator(), null));
        table = RouteTables.assertEveryRouteDeclaresAccess(http);
    }

    @AfterAll
    static void close() {
        server.close();
    }

    @Test
    void everyRuleARouteNamesIsAnIdentityPolicyRule() {
        Set<String> rules = server.identity().policy().names();

        assertThat(table).isNotEmpty().allSatisfy(route -> {
            assertThat(route.access()).as("%s %s", route.method(), route.path()).isNotNull();
            if (route.access() instanceof Access.Rule rule) {
                assertThat(rule.name()).as("%s %s", route.method(), route.path()).startsWith("identity:");
                assertThat(rules).as("rule of %s %s", route.method(), route.path()).contains(rule.name());
            }
        });
    }

    @Test
    void onlyWhatKeystoneLeavesOpenIsPublic() {
        assertThat(table.stream().filter(r -> r.access() instanceof Access.Public).map(r -> r.method() + " " + r.path()))
                .isSubsetOf(PUBLIC)
                .contains("POST /v3/auth/tokens", "GET /v3");
    }

    @Test
    void tokenRoutesDeclareTheirKeystoneRules() {
        assertThat(table).contains(
                new Routes.Route(HandlerType.POST, "/v3/auth/tokens", Access.PUBLIC),
                new Routes.Route(HandlerType.GET, "/v3/auth/tokens", Access.rule("identity:validate_token")),
                new Routes.Route(HandlerType.HEAD, "/v3/auth/tokens", Access.rule("identity:check_token")),
                new Routes.Route(HandlerType.DELETE, "/v3/auth/tokens", Access.rule("identity:revoke_token")));
    }

    @Test
    void theServerThatRunsHasTheSameTable() {
        assertThat(server.http().routeTable()).containsExactlyInAnyOrderElementsOf(table);
    }
}
