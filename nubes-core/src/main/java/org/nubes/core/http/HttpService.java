package org.nubes.core.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.util.List;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Policy;
import org.nubes.core.auth.Target;
import org.nubes.core.auth.TokenValidator;
import org.nubes.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one {@link ApiService} on its port with the settings every Nubes API shares: virtual
 * threads, significant trailing slashes, 405 before 404, a request id on every answer, one access
 * log line per request, authentication and policy before the handler, and faults in the service's
 * format.
 */
public final class HttpService implements AutoCloseable {
    private static final Logger ACCESS = LoggerFactory.getLogger("nubes.access");
    private static final Logger LOG = LoggerFactory.getLogger(HttpService.class);
    private static final String START_NANOS = "nubes.start";

    /**
     * What all services share: where to listen, how much body to accept, how to check tokens, and
     * the identity URL named in 401 answers (null: the service is the identity service itself).
     */
    public record Settings(String bindHost, long maxRequestBytes, TokenValidator tokens, String identityUri) {}

    private final ApiService service;
    private final Settings settings;
    private final Policy policy;
    private Javalin app;
    private List<Routes.Route> routeTable = List.of();

    public HttpService(ApiService service, Settings settings) {
        this.service = service;
        this.settings = settings;
        this.policy = service.policy();
    }

    /** Builds the app without listening, so tests can inspect the route table. */
    public Javalin build() {
        app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.router.ignoreTrailingSlashes = false;
            config.router.treatMultipleSlashesAsSingleSlash = false;
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = settings.maxRequestBytes();
            config.http.generateEtags = false;
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, true));
            config.jetty.modifyServer(server -> server.setStopTimeout(2_000));
            config.requestLogger.http(this::logAccess);

            config.routes.before(this::tagRequest);
            config.routes.beforeMatched(this::authenticate);
            config.routes.afterMatched(this::checkEnforced);
            config.routes.exception(ApiException.class, (e, ctx) -> renderFault(ctx, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> renderFault(ctx, translate(e)));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed [{}]", ctx.method(), ctx.path(), Http.requestId(ctx), e);
                renderFault(ctx, new ApiException(ApiException.Kind.INTERNAL,
                        "An unexpected error prevented the server from fulfilling your request."));
            });
            Routes routes = new Routes(config.routes);
            service.routes(routes);
            routeTable = routes.table();
        });
        return app;
    }

    public HttpService start() {
        service.start();
        if (app == null) {
            build();
        }
        app.start(settings.bindHost(), service.port());
        return this;
    }

    public int port() {
        return app.port();
    }

    public List<Routes.Route> routeTable() {
        return routeTable;
    }

    public ApiService service() {
        return service;
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
        service.stop();
    }

    private void tagRequest(Context ctx) {
        ctx.attribute(START_NANOS, System.nanoTime());
        String id = "req-" + RequestIds.next();
        ctx.attribute(Http.REQUEST_ID, id);
        ctx.header("x-openstack-request-id", id);
        ctx.attribute(Http.POLICY, policy);
        MicroversionRange versions = service.microversions();
        if (versions != null) {
            ctx.attribute(Http.MICROVERSION, versions.negotiate(ctx));
        }
    }

    private void authenticate(Context ctx) {
        Access access = ctx.routeRoles().stream()
                .filter(Access.class::isInstance).map(Access.class::cast)
                .findFirst().orElse(null);
        switch (access) {
            case null -> throw new IllegalStateException("route declares no access: " + ctx.path());
            case Access.Public p -> { }
            case Access.Rule rule -> {
                String token = ctx.header("X-Auth-Token");
                if (token == null || token.isBlank()) {
                    throw ApiException.unauthorized("The request you have made requires authentication.");
                }
                AuthContext caller = settings.tokens().validate(token.strip());
                ctx.attribute(Http.CALLER, caller);
                if (!policy.isTargeted(rule.name())) {
                    policy.enforce(rule.name(), caller, Target.NONE);
                    ctx.attribute(Http.ENFORCED, Boolean.TRUE);
                }
            }
        }
    }

    /** A targeted rule that no handler enforced is a bug in the handler: make it loud. */
    private void checkEnforced(Context ctx) {
        if (ctx.attribute(Http.CALLER) != null && ctx.attribute(Http.ENFORCED) == null
                && ctx.statusCode() < 400) {
            LOG.error("{} {} answered without enforcing its policy rule [{}]",
                    ctx.method(), ctx.endpoint().path, Http.requestId(ctx));
        }
    }

    private void renderFault(Context ctx, ApiException e) {
        if (e.status() == 401) {
            String uri = settings.identityUri() != null ? settings.identityUri() : Http.baseUrl(ctx);
            ctx.header("WWW-Authenticate", "Keystone uri=\"" + uri + "\"");
        }
        service.faults().respond(ctx, e);
    }

    private static ApiException translate(HttpResponseException e) {
        ApiException.Kind kind = ApiException.Kind.of(e.getStatus()).orElse(ApiException.Kind.BAD_REQUEST);
        String message = switch (kind) {
            case NOT_FOUND -> "The resource could not be found.";
            case METHOD_NOT_ALLOWED -> "The method is not allowed for this resource.";
            case PAYLOAD_TOO_LARGE -> "The request body is larger than the server accepts.";
            default -> e.getMessage();
        };
        return new ApiException(kind, message);
    }

    private void logAccess(Context ctx, Float ms) {
        if (ACCESS.isInfoEnabled()) {
            ACCESS.info("{} {} {} {} {}ms [{}]", service.name(), ctx.method(), ctx.path(),
                    ctx.statusCode(), Math.round(ms * 10) / 10.0, Http.requestId(ctx));
        }
    }
}
