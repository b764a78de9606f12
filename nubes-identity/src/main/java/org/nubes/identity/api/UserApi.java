package org.nubes.identity.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.identity.service.Directory;
import org.nubes.identity.service.Passwords;
import org.nubes.identity.service.Tokens;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Ids;
import org.nubes.identity.store.User;

/** /v3/users, a user's own password, groups and projects. */
final class UserApi {
    private static final Set<String> KNOWN = Set.of("name", "domain_id", "enabled", "password", "default_project_id", "options");

    private final IdentityStores stores;
    private final Directory directory;
    private final Passwords passwords;
    private final Tokens tokens;

    UserApi(IdentityStores stores, Directory directory, Passwords passwords, Tokens tokens) {
        this.stores = stores;
        this.directory = directory;
        this.passwords = passwords;
        this.tokens = tokens;
    }

    void register(Routes routes) {
        routes.get("/v3/users", Access.rule("identity:list_users"), this::list);
        routes.post("/v3/users", Access.rule("identity:create_user"), this::create);
        routes.get("/v3/users/{user_id}", Access.rule("identity:get_user"), this::show);
        routes.patch("/v3/users/{user_id}", Access.rule("identity:update_user"), this::update);
        routes.delete("/v3/users/{user_id}", Access.rule("identity:delete_user"), this::delete);
        // As in Keystone, knowing the original password is what authorises a change, so that a
        // user whose password expired can still set a new one without a token.
        routes.post("/v3/users/{user_id}/password", Access.PUBLIC, this::changePassword);
        routes.get("/v3/users/{user_id}/groups", Access.rule("identity:list_groups_for_user"), this::groups);
        routes.get("/v3/users/{user_id}/projects", Access.rule("identity:list_user_projects"), this::projects);
    }

    private void list(Context ctx) {
        String domain = Lists.domainLimit(ctx, "identity:list_users");
        String base = Http.baseUrl(ctx);
        List<ObjectNode> users = stores.users().list().stream()
                .filter(u -> domain == null || u.domainId().equals(domain))
                .map(u -> Views.user(base, u)).toList();
        Lists.answer(ctx, "users", Filters.apply(ctx, users, Set.of("domain_id", "enabled", "name")));
    }

    private void create(Context ctx) {
        ObjectNode body = Body.resource(ctx, "user");
        String name = Body.requiredString(body, "name", 255);
        String domainId = Body.optionalString(body, "domain_id", 64);
        if (domainId == null) {
            AuthContext caller = Http.caller(ctx);
            domainId = caller.domainId() != null ? caller.domainId() : "default";
        }
        String domain = domainId;
        Http.enforce(ctx, "identity:create_user", Target.of("domain_id", domain));
        stores.domains().get(domain).orElseThrow(() -> Body.invalid("domain_id", "domain " + domain + " does not exist"));
        String password = Body.optionalString(body, "password", 4096);
        String defaultProject = Body.optionalString(body, "default_project_id", 64);
        Instant now = Instant.now();
        User user = new User(Ids.newId(), name, domain, Body.bool(body, "enabled", true),
                password == null ? null : passwords.hash(password), password == null ? null : now,
                defaultProject, Body.extra(body, KNOWN), now);
        stores.users().create(user);
        Http.json(ctx, 201, wrap(Http.baseUrl(ctx), user));
    }

    private void show(Context ctx) {
        User user = find(ctx.pathParam("user_id"));
        Http.enforce(ctx, "identity:get_user", Target.of("user_id", user.id(), "domain_id", user.domainId()));
        Http.json(ctx, wrap(Http.baseUrl(ctx), user));
    }

    private void update(Context ctx) {
        User user = find(ctx.pathParam("user_id"));
        Http.enforce(ctx, "identity:update_user", Target.of("domain_id", user.domainId()));
        ObjectNode body = Body.resource(ctx, "user");
        String domainId = Body.optionalString(body, "domain_id", 64);
        if (domainId != null && !domainId.equals(user.domainId())) {
            throw Body.invalid("domain_id", "a user cannot move to another domain");
        }
        String name = body.has("name") ? Body.requiredString(body, "name", 255) : user.name();
        boolean enabled = Body.bool(body, "enabled", user.enabled());
        String password = Body.optionalString(body, "password", 4096);
        String defaultProject = body.has("default_project_id")
                ? Body.optionalString(body, "default_project_id", 64) : user.defaultProjectId();
        User updated = new User(user.id(), name, user.domainId(), enabled,
                password == null ? user.passwordHash() : passwords.hash(password),
                password == null ? user.passwordChangedAt() : Instant.now(),
                defaultProject, Body.mergeExtra(user.extra(), body, KNOWN), user.createdAt());
        stores.users().update(updated);
        if (password != null || (user.enabled() && !enabled)) {
            tokens.revokeUser(user.id());
        }
        Http.json(ctx, wrap(Http.baseUrl(ctx), updated));
    }

    private void delete(Context ctx) {
        User user = find(ctx.pathParam("user_id"));
        Http.enforce(ctx, "identity:delete_user", Target.of("domain_id", user.domainId()));
        stores.users().delete(user.id());
        tokens.revokeUser(user.id());
        Http.noContent(ctx);
    }

    private void changePassword(Context ctx) {
        ObjectNode body = Body.resource(ctx, "user");
        String original = Body.requiredString(body, "original_password", 4096);
        String password = Body.requiredString(body, "password", 4096);
        User user = stores.users().get(ctx.pathParam("user_id")).orElse(null);
        boolean matches = passwords.matches(original, user == null ? null : user.passwordHash());
        if (user == null || !matches || !user.enabled()) {
            throw ApiException.unauthorized("The request you have made requires authentication.");
        }
        stores.users().update(new User(user.id(), user.name(), user.domainId(), user.enabled(), passwords.hash(password),
                Instant.now(), user.defaultProjectId(), user.extra(), user.createdAt()));
        tokens.revokeUser(user.id());
        Http.noContent(ctx);
    }

    private void groups(Context ctx) {
        User user = find(ctx.pathParam("user_id"));
        Http.enforce(ctx, "identity:list_groups_for_user", Target.of("user_id", user.id(), "domain_id", user.domainId()));
        String base = Http.baseUrl(ctx);
        Lists.answer(ctx, "groups", stores.groups().ofUser(user.id()).stream().map(g -> Views.group(base, g)).toList());
    }

    private void projects(Context ctx) {
        User user = find(ctx.pathParam("user_id"));
        Http.enforce(ctx, "identity:list_user_projects", Target.of("user_id", user.id(), "domain_id", user.domainId()));
        String base = Http.baseUrl(ctx);
        List<ObjectNode> projects = directory.current().projectsOf(user.id()).stream()
                .map(p -> Views.project(base, p)).toList();
        Lists.answer(ctx, "projects", Filters.apply(ctx, projects, Set.of("domain_id", "enabled", "name")));
    }

    private User find(String id) {
        return stores.users().get(id).orElseThrow(() -> ApiException.notFound("Could not find user: %s.", id));
    }

    private static ObjectNode wrap(String base, User user) {
        return Views.wrap("user", Views.user(base, user));
    }
}
