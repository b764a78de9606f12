package org.nubes.core.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Policy;
import org.nubes.core.auth.Rule;
import org.nubes.core.auth.TokenValidator;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/**
 * A tiny service on a random port for the HTTP tests: the routes the test gives, a fake token
 * validator (token {@value #GOOD} is a member of project p1, anything else is refused), a small
 * policy and a fault format of its own, so a test can tell the service's renderer shaped a body.
 */
final class TestApi implements AutoCloseable {
    static final String GOOD = "good";

    static final AuthContext MEMBER = new AuthContext(GOOD,
            new AuthContext.Named("u1", "alice"), new AuthContext.Named("default", "Default"),
            new AuthContext.Scope.Project(new AuthContext.Named("p1", "demo"), new AuthContext.Named("default", "Default")),
            Set.of("member", "reader"), Instant.now().plusSeconds(3600), List.of("audit-1"), null);

    static final TokenValidator TOKENS = token -> {
        if (GOOD.equals(token)) {
            return MEMBER;
        }
        throw ApiException.unauthorized("The token %s is not valid.", token);
    };

    /** things:list needs member, things:create admin, things:show (targeted) ownership. */
    static final Policy POLICY = new Policy(
            Map.of("things:list", Rule.role("member"),
                    "things:create", Rule.ADMIN,
                    "things:show", Rule.owner("user_id")),
            Set.of("things:show"));

    /** {"testFault": {"code": 404, "kind": "NOT_FOUND", "message": "..."}}. */
    static final FaultRenderer FAULTS = e -> {
        ObjectNode body = Json.object();
        body.putObject("testFault").put("code", e.status()).put("kind", e.kind().name()).put("message", e.getMessage());
        return body;
    };

    private final HttpService http;

    private TestApi(HttpService http) {
        this.http = http;
    }

    static TestApi start(Consumer<Routes> routes) {
        return start(1 << 20, null, routes);
    }

    static TestApi start(long maxRequestBytes, String identityUri, Consumer<Routes> routes) {
        return new TestApi(new HttpService(service(routes),
                new HttpService.Settings("127.0.0.1", maxRequestBytes, TOKENS, identityUri)).start());
    }

    static ApiService service(Consumer<Routes> routes) {
        return new ApiService() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public int port() {
                return 0;
            }

            @Override
            public FaultRenderer faults() {
                return FAULTS;
            }

            @Override
            public Policy policy() {
                return POLICY;
            }

            @Override
            public void routes(Routes r) {
                routes.accept(r);
            }

            @Override
            public List<CatalogEntry> catalogEntries(String baseUrl) {
                return List.of(new CatalogEntry("test", "test", baseUrl));
            }
        };
    }

    HttpService http() {
        return http;
    }

    String url() {
        return "http://127.0.0.1:" + http.port();
    }

    /** A client without a token. */
    ApiClient anonymous() {
        return new ApiClient(url(), null);
    }

    ApiClient as(String token) {
        return new ApiClient(url(), token);
    }

    @Override
    public void close() {
        http.close();
    }
}
