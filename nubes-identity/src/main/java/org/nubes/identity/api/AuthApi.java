package org.nubes.identity.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;
import org.nubes.identity.service.Authenticator;
import org.nubes.identity.service.Directory;
import org.nubes.identity.service.Snapshot;
import org.nubes.identity.service.TokenData;
import org.nubes.identity.service.Tokens;

/** /v3/auth: issuing, validating and revoking tokens, and what a token gives access to. */
final class AuthApi {
    private final Authenticator authenticator;
    private final Tokens tokens;
    private final Directory directory;
    private final TokenView view;

    AuthApi(Authenticator authenticator, Tokens tokens, Directory directory, TokenView view) {
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.directory = directory;
        this.view = view;
    }

    void register(Routes routes) {
        routes.post("/v3/auth/tokens", Access.PUBLIC, this::issue);
        routes.get("/v3/auth/tokens", Access.rule("identity:validate_token"), this::validate);
        routes.head("/v3/auth/tokens", Access.rule("identity:check_token"), this::check);
        routes.delete("/v3/auth/tokens", Access.rule("identity:revoke_token"), this::revoke);
        routes.get("/v3/auth/catalog", Access.rule("identity:get_auth_catalog"), this::catalog);
        routes.get("/v3/auth/projects", Access.rule("identity:get_auth_projects"), this::projects);
        routes.get("/v3/auth/domains", Access.rule("identity:get_auth_domains"), this::domains);
        routes.get("/v3/auth/system", Access.rule("identity:get_auth_system"), this::system);
    }

    private void issue(Context ctx) {
        ObjectNode body = Http.jsonBody(ctx);
        if (!body.has("auth")) {
            throw Body.invalid("auth", "'auth' is a required property");
        }
        TokenData token = authenticator.authenticate(body.get("auth"));
        ctx.header("X-Subject-Token", token.id());
        ctx.status(201).contentType("application/json").result(view.fresh(token, !ctx.queryParamMap().containsKey("nocatalog")));
    }

    private void validate(Context ctx) {
        TokenData subject = subject(ctx, "identity:validate_token");
        ctx.header("X-Subject-Token", subject.id());
        ctx.contentType("application/json").result(view.body(subject, !ctx.queryParamMap().containsKey("nocatalog")));
    }

    private void check(Context ctx) {
        TokenData subject = subject(ctx, "identity:check_token");
        ctx.header("X-Subject-Token", subject.id());
        ctx.status(200);
    }

    private void revoke(Context ctx) {
        TokenData subject = subject(ctx, "identity:revoke_token");
        tokens.revoke(subject);
        ctx.status(204);
    }

    /** The X-Subject-Token, validated, after the targeted rule allowed the caller to look at it. */
    private TokenData subject(Context ctx, String rule) {
        String id = ctx.header("X-Subject-Token");
        if (id == null || id.isBlank()) {
            throw ApiException.badRequest("The X-Subject-Token header is required.");
        }
        boolean allowExpired = Filters.truthy(ctx.queryParam("allow_expired") == null ? "false" : ctx.queryParam("allow_expired"));
        TokenData subject = tokens.validate(id.strip(), allowExpired);
        Http.enforce(ctx, rule, Target.of("user_id", subject.user().id()));
        return subject;
    }

    private void catalog(Context ctx) {
        AuthContext caller = Http.caller(ctx);
        if (caller.scope() instanceof AuthContext.Scope.Unscoped) {
            throw ApiException.forbidden("A scoped token is required to see the service catalog.");
        }
        ObjectNode body = Json.object();
        body.set("catalog", view.catalog(caller.projectId(), caller.userId()));
        body.set("links", Views.links(Http.baseUrl(ctx) + "/v3/auth/catalog"));
        Http.json(ctx, body);
    }

    private void projects(Context ctx) {
        Snapshot snapshot = directory.current();
        String base = Http.baseUrl(ctx);
        ObjectNode body = Json.object();
        var list = body.putArray("projects");
        snapshot.projectsOf(Http.caller(ctx).userId()).forEach(p -> list.add(Views.project(base, p)));
        body.set("links", Views.listLinks(base + "/v3/auth/projects"));
        Http.json(ctx, body);
    }

    private void domains(Context ctx) {
        Snapshot snapshot = directory.current();
        String base = Http.baseUrl(ctx);
        ObjectNode body = Json.object();
        var list = body.putArray("domains");
        snapshot.domainsOf(Http.caller(ctx).userId()).forEach(d -> list.add(Views.domain(base, d)));
        body.set("links", Views.listLinks(base + "/v3/auth/domains"));
        Http.json(ctx, body);
    }

    private void system(Context ctx) {
        boolean hasSystem = !directory.current().systemRoles(Http.caller(ctx).userId()).isEmpty();
        ObjectNode body = Json.object();
        var list = body.putArray("system");
        if (hasSystem) {
            list.addObject().put("all", true);
        }
        body.set("links", Views.links(Http.baseUrl(ctx) + "/v3/auth/system"));
        Http.json(ctx, body);
    }
}
