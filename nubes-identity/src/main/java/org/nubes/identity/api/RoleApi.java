package org.nubes.identity.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;
import org.nubes.identity.service.Directory;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Ids;
import org.nubes.identity.store.Role;

/** /v3/roles, implied roles and /v3/role_inferences. */
final class RoleApi {
    private static final Set<String> KNOWN = Set.of("name", "domain_id", "description", "options");
    /** Keystone's [assignment] prohibited_implied_role default: nothing may imply admin. */
    private static final Set<String> PROHIBITED_IMPLIED = Set.of("admin");

    private final IdentityStores stores;
    private final Directory directory;

    RoleApi(IdentityStores stores, Directory directory) {
        this.stores = stores;
        this.directory = directory;
    }

    void register(Routes routes) {
        routes.get("/v3/roles", Access.rule("identity:list_roles"), this::list);
        routes.post("/v3/roles", Access.rule("identity:create_role"), this::create);
        routes.get("/v3/roles/{role_id}", Access.rule("identity:get_role"), this::show);
        routes.patch("/v3/roles/{role_id}", Access.rule("identity:update_role"), this::update);
        routes.delete("/v3/roles/{role_id}", Access.rule("identity:delete_role"), this::delete);
        routes.get("/v3/roles/{prior_role_id}/implies", Access.rule("identity:list_implied_roles"), this::listImplied);
        routes.put("/v3/roles/{prior_role_id}/implies/{implied_role_id}", Access.rule("identity:create_implied_role"), this::imply);
        routes.get("/v3/roles/{prior_role_id}/implies/{implied_role_id}", Access.rule("identity:get_implied_role"), this::showImplied);
        routes.head("/v3/roles/{prior_role_id}/implies/{implied_role_id}", Access.rule("identity:check_implied_role"), this::checkImplied);
        routes.delete("/v3/roles/{prior_role_id}/implies/{implied_role_id}", Access.rule("identity:delete_implied_role"), this::removeImplied);
        routes.get("/v3/role_inferences", Access.rule("identity:list_role_inference_rules"), this::inferences);
    }

    private void list(Context ctx) {
        String domainFilter = ctx.queryParam("domain_id");
        Http.enforce(ctx, "identity:list_roles", Target.of("domain_id", domainFilter != null ? domainFilter : Http.caller(ctx).domainId()));
        String base = Http.baseUrl(ctx);
        List<ObjectNode> roles = stores.roles().list().stream()
                .filter(r -> java.util.Objects.equals(r.domainId(), domainFilter))
                .map(r -> Views.role(base, r)).toList();
        Lists.answer(ctx, "roles", Filters.apply(ctx, roles, Set.of("name")));
    }

    private void create(Context ctx) {
        ObjectNode body = Body.resource(ctx, "role");
        String name = Body.requiredString(body, "name", 255);
        String domainId = Body.optionalString(body, "domain_id", 64);
        if (domainId != null && stores.domains().get(domainId).isEmpty()) {
            throw Body.invalid("domain_id", "domain " + domainId + " does not exist");
        }
        Role role = new Role(Ids.newId(), name, domainId, Body.optionalString(body, "description", 255), Body.extra(body, KNOWN));
        stores.roles().create(role);
        Http.json(ctx, 201, wrap(Http.baseUrl(ctx), role));
    }

    private void show(Context ctx) {
        Role role = find(ctx.pathParam("role_id"));
        Http.enforce(ctx, "identity:get_role", Target.of("domain_id", role.domainId() != null ? role.domainId() : Http.caller(ctx).domainId()));
        Http.json(ctx, wrap(Http.baseUrl(ctx), role));
    }

    private void update(Context ctx) {
        Role role = find(ctx.pathParam("role_id"));
        ObjectNode body = Body.resource(ctx, "role");
        String domainId = Body.optionalString(body, "domain_id", 64);
        if (body.has("domain_id") && !java.util.Objects.equals(domainId, role.domainId())) {
            throw Body.invalid("domain_id", "the domain of a role cannot be changed");
        }
        Role updated = new Role(role.id(), body.has("name") ? Body.requiredString(body, "name", 255) : role.name(),
                role.domainId(), body.has("description") ? Body.optionalString(body, "description", 255) : role.description(),
                Body.mergeExtra(role.extra(), body, KNOWN));
        stores.roles().update(updated);
        Http.json(ctx, wrap(Http.baseUrl(ctx), updated));
    }

    private void delete(Context ctx) {
        Role role = find(ctx.pathParam("role_id"));
        stores.roles().delete(role.id());
        Http.noContent(ctx);
    }

    private void listImplied(Context ctx) {
        Role prior = find(ctx.pathParam("prior_role_id"));
        String base = Http.baseUrl(ctx);
        ObjectNode body = Json.object();
        body.set("role_inference", inference(base, prior, directImplied(prior.id())));
        body.set("links", Views.links(base + "/v3/roles/" + prior.id() + "/implies"));
        Http.json(ctx, body);
    }

    private void imply(Context ctx) {
        Role prior = find(ctx.pathParam("prior_role_id"));
        Role implied = find(ctx.pathParam("implied_role_id"));
        if (PROHIBITED_IMPLIED.contains(implied.name())) {
            throw ApiException.forbidden("%s is not permitted to be an implied role.", implied.name());
        }
        if (prior.domainId() == null && implied.domainId() != null) {
            throw ApiException.forbidden("Global role %s cannot imply the domain-specific role %s.", prior.id(), implied.id());
        }
        if (prior.id().equals(implied.id()) || directory.current().withImplied(Set.of(implied.id())).contains(prior.id())) {
            throw ApiException.forbidden("Role %s implying %s would make a cycle of implications.", prior.id(), implied.id());
        }
        stores.roles().imply(prior.id(), implied.id());
        Http.json(ctx, 201, pair(Http.baseUrl(ctx), prior, implied));
    }

    private void showImplied(Context ctx) {
        Role prior = find(ctx.pathParam("prior_role_id"));
        Role implied = implication(prior, ctx.pathParam("implied_role_id"));
        Http.json(ctx, pair(Http.baseUrl(ctx), prior, implied));
    }

    private void checkImplied(Context ctx) {
        implication(find(ctx.pathParam("prior_role_id")), ctx.pathParam("implied_role_id"));
        Http.noContent(ctx);
    }

    private void removeImplied(Context ctx) {
        Role prior = find(ctx.pathParam("prior_role_id"));
        Role implied = implication(prior, ctx.pathParam("implied_role_id"));
        stores.roles().removeImplication(prior.id(), implied.id());
        Http.noContent(ctx);
    }

    private void inferences(Context ctx) {
        String base = Http.baseUrl(ctx);
        ObjectNode body = Json.object();
        var list = body.putArray("role_inferences");
        Map<String, Role> roles = directory.current().roles();
        directory.current().implies().forEach((priorId, impliedIds) -> {
            Role prior = roles.get(priorId);
            if (prior != null) {
                list.add(inference(base, prior, impliedIds.stream().map(roles::get).filter(java.util.Objects::nonNull).toList()));
            }
        });
        body.set("links", Views.links(base + "/v3/role_inferences"));
        Http.json(ctx, body);
    }

    private List<Role> directImplied(String priorId) {
        Map<String, Role> roles = directory.current().roles();
        return directory.current().implies().getOrDefault(priorId, Set.of()).stream()
                .map(roles::get).filter(java.util.Objects::nonNull).toList();
    }

    private Role implication(Role prior, String impliedId) {
        return directImplied(prior.id()).stream().filter(r -> r.id().equals(impliedId)).findFirst()
                .orElseThrow(() -> ApiException.notFound("%s is not an implied role of %s.", impliedId, prior.id()));
    }

    private static ObjectNode ref(String base, Role r) {
        ObjectNode n = Json.object();
        n.put("id", r.id()).put("name", r.name());
        n.set("links", Views.links(base + "/v3/roles/" + r.id()));
        return n;
    }

    private static ObjectNode inference(String base, Role prior, List<Role> implied) {
        ObjectNode n = Json.object();
        n.set("prior_role", ref(base, prior));
        var list = n.putArray("implies");
        implied.forEach(r -> list.add(ref(base, r)));
        return n;
    }

    private static ObjectNode pair(String base, Role prior, Role implied) {
        ObjectNode body = Json.object();
        ObjectNode inference = body.putObject("role_inference");
        inference.set("prior_role", ref(base, prior));
        inference.set("implies", ref(base, implied));
        body.set("links", Views.links(base + "/v3/roles/" + prior.id() + "/implies/" + implied.id()));
        return body;
    }

    private Role find(String id) {
        return stores.roles().get(id).orElseThrow(() -> ApiException.notFound("Could not find role: %s.", id));
    }

    private static ObjectNode wrap(String base, Role role) {
        return Views.wrap("role", Views.role(base, role));
    }
}
