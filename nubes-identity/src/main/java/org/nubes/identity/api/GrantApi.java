package org.nubes.identity.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;
import org.nubes.identity.service.Directory;
import org.nubes.identity.service.RoleAssignments;
import org.nubes.identity.service.Snapshot;
import org.nubes.identity.store.Assignment;
import org.nubes.identity.store.Assignment.Actor;
import org.nubes.identity.store.Assignment.Scope;
import org.nubes.identity.store.Domain;
import org.nubes.identity.store.Group;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Project;
import org.nubes.identity.store.Role;
import org.nubes.identity.store.User;

/** Role grants on projects, domains and the system, inherited grants, and /v3/role_assignments. */
final class GrantApi {
    private final IdentityStores stores;
    private final Directory directory;
    private final RoleAssignments assignments;

    GrantApi(IdentityStores stores, Directory directory) {
        this.stores = stores;
        this.directory = directory;
        this.assignments = new RoleAssignments(stores, directory);
    }

    void register(Routes routes) {
        for (Actor actor : Actor.values()) {
            String actors = actor == Actor.USER ? "users" : "groups";
            for (Scope scope : List.of(Scope.PROJECT, Scope.DOMAIN)) {
                String targets = scope == Scope.PROJECT ? "projects" : "domains";
                String path = "/v3/" + targets + "/{target_id}/" + actors + "/{actor_id}/roles";
                grantRoutes(routes, path, path + "/{role_id}", actor, scope, false);
                String inherited = "/v3/OS-INHERIT/" + targets + "/{target_id}/" + actors + "/{actor_id}/roles";
                grantRoutes(routes, inherited + "/inherited_to_projects", inherited + "/{role_id}/inherited_to_projects",
                        actor, scope, true);
            }
            String system = "/v3/system/" + actors + "/{actor_id}/roles";
            routes.get(system, Access.rule("identity:list_system_grants"), ctx -> listGrants(ctx, actor, Scope.SYSTEM, false));
            routes.put(system + "/{role_id}", Access.rule("identity:create_system_grant"), ctx -> grant(ctx, actor, Scope.SYSTEM, false));
            routes.get(system + "/{role_id}", Access.rule("identity:check_system_grant"), ctx -> check(ctx, actor, Scope.SYSTEM, false));
            routes.head(system + "/{role_id}", Access.rule("identity:check_system_grant"), ctx -> check(ctx, actor, Scope.SYSTEM, false));
            routes.delete(system + "/{role_id}", Access.rule("identity:revoke_system_grant"), ctx -> revoke(ctx, actor, Scope.SYSTEM, false));
        }
        routes.get("/v3/role_assignments", Access.rule("identity:list_role_assignments"), this::listAssignments);
    }

    private void grantRoutes(Routes routes, String list, String one, Actor actor, Scope scope, boolean inherited) {
        routes.get(list, Access.rule("identity:list_grants"), ctx -> listGrants(ctx, actor, scope, inherited));
        routes.put(one, Access.rule("identity:create_grant"), ctx -> grant(ctx, actor, scope, inherited));
        routes.get(one, Access.rule("identity:check_grant"), ctx -> check(ctx, actor, scope, inherited));
        routes.head(one, Access.rule("identity:check_grant"), ctx -> check(ctx, actor, scope, inherited));
        routes.delete(one, Access.rule("identity:revoke_grant"), ctx -> revoke(ctx, actor, scope, inherited));
    }

    private void grant(Context ctx, Actor actor, Scope scope, boolean inherited) {
        Assignment a = assignment(ctx, actor, scope, inherited);
        enforceManaged(ctx, "identity:create_grant", a);
        stores.assignments().grant(a);
        Http.noContent(ctx);
    }

    private void check(Context ctx, Actor actor, Scope scope, boolean inherited) {
        Assignment a = assignment(ctx, actor, scope, inherited);
        if (scope != Scope.SYSTEM) {
            Http.enforce(ctx, "identity:check_grant", Target.of("domain_id", domainOf(scope, a.targetId())));
        }
        if (!stores.assignments().exists(a)) {
            throw notGranted(a);
        }
        Http.noContent(ctx);
    }

    private void revoke(Context ctx, Actor actor, Scope scope, boolean inherited) {
        Assignment a = assignment(ctx, actor, scope, inherited);
        enforceManaged(ctx, "identity:revoke_grant", a);
        if (!stores.assignments().revoke(a)) {
            throw notGranted(a);
        }
        Http.noContent(ctx);
    }

    private void listGrants(Context ctx, Actor actor, Scope scope, boolean inherited) {
        String actorId = actor(actor, ctx.pathParam("actor_id"));
        String targetId = scope == Scope.SYSTEM ? Assignment.SYSTEM_ALL : target(scope, ctx.pathParam("target_id"));
        if (scope != Scope.SYSTEM) {
            Http.enforce(ctx, "identity:list_grants", Target.of("domain_id", domainOf(scope, targetId)));
        }
        String base = Http.baseUrl(ctx);
        Snapshot snapshot = directory.current();
        List<ObjectNode> roles = stores.assignments().ofActors(List.of(actorId)).stream()
                .filter(a -> a.scope() == scope && a.targetId().equals(targetId) && a.inherited() == inherited)
                .map(a -> snapshot.roles().get(a.roleId()))
                .filter(java.util.Objects::nonNull)
                .map(r -> Views.role(base, r)).toList();
        Lists.answer(ctx, "roles", roles);
    }

    /** Grant and revoke: a domain manager acts on actors and targets of their domain only, and on managed roles. */
    private void enforceManaged(Context ctx, String rule, Assignment a) {
        if (a.scope() == Scope.SYSTEM) {
            return; // system grants have admin-only rules of their own, enforced before the handler
        }
        String actorDomain = a.actor() == Actor.USER
                ? stores.users().get(a.actorId()).map(User::domainId).orElse(null)
                : stores.groups().get(a.actorId()).map(Group::domainId).orElse(null);
        Role role = directory.current().roles().get(a.roleId());
        String roleName = role == null ? null : role.name();
        Http.enforce(ctx, rule, Target.of("domain_id", domainOf(a.scope(), a.targetId()), "actor_domain_id", actorDomain,
                "role_name", roleName));
    }

    /** The assignment a grant path names, after checking each part exists. */
    private Assignment assignment(Context ctx, Actor actor, Scope scope, boolean inherited) {
        String actorId = actor(actor, ctx.pathParam("actor_id"));
        String targetId = scope == Scope.SYSTEM ? Assignment.SYSTEM_ALL : target(scope, ctx.pathParam("target_id"));
        Role role = stores.roles().get(ctx.pathParam("role_id"))
                .orElseThrow(() -> ApiException.notFound("Could not find role: %s.", ctx.pathParam("role_id")));
        if (role.domainId() != null && (scope == Scope.SYSTEM || !role.domainId().equals(domainOf(scope, targetId)))) {
            throw ApiException.forbidden("Domain-specific role %s can only be granted within its domain %s.", role.id(), role.domainId());
        }
        return new Assignment(actor, actorId, scope, targetId, role.id(), inherited);
    }

    private String actor(Actor actor, String id) {
        if (actor == Actor.USER) {
            return stores.users().get(id).map(User::id).orElseThrow(() -> ApiException.notFound("Could not find user: %s.", id));
        }
        return stores.groups().get(id).map(Group::id).orElseThrow(() -> ApiException.notFound("Could not find group: %s.", id));
    }

    private String target(Scope scope, String id) {
        if (scope == Scope.PROJECT) {
            return stores.projects().get(id).map(Project::id).orElseThrow(() -> ApiException.notFound("Could not find project: %s.", id));
        }
        return stores.domains().get(id).map(Domain::id).orElseThrow(() -> ApiException.notFound("Could not find domain: %s.", id));
    }

    private String domainOf(Scope scope, String targetId) {
        if (scope == Scope.PROJECT) {
            Project p = directory.current().projects().get(targetId);
            return p == null ? null : p.domainId();
        }
        return scope == Scope.DOMAIN ? targetId : null;
    }

    private static ApiException notGranted(Assignment a) {
        return ApiException.notFound("Could not find role assignment with role: %s, %s: %s, %s: %s.", a.roleId(),
                a.actor() == Actor.USER ? "user" : "group", a.actorId(),
                a.scope().name().toLowerCase(), a.targetId());
    }

    private void listAssignments(Context ctx) {
        boolean effective = ctx.queryParamMap().containsKey("effective");
        boolean includeNames = ctx.queryParamMap().containsKey("include_names") && Filters.truthy(orTrue(ctx.queryParam("include_names")));
        String projectId = ctx.queryParam("scope.project.id");
        String domainId = ctx.queryParam("scope.domain.id");
        boolean system = ctx.queryParam("scope.system") != null;
        if (effective && ctx.queryParam("group.id") != null) {
            throw ApiException.badRequest("Combining effective and group filter will always result in an empty list.");
        }
        if (ctx.queryParamMap().containsKey("include_subtree") && projectId == null) {
            throw ApiException.badRequest("scope.project.id needs to be specified if include_subtree is also specified.");
        }
        String domainOfQuery = domainId != null ? domainId : projectId != null ? domainOf(Scope.PROJECT, projectId) : null;
        // A domain reader asking without a scope sees the assignments inside their own domain.
        String limitTo = null;
        if (!Http.allows(ctx, "identity:list_role_assignments", Target.NONE)) {
            limitTo = domainOfQuery != null ? domainOfQuery : Http.caller(ctx).domainId();
            Http.enforce(ctx, "identity:list_role_assignments", Target.of("domain_id", limitTo));
        }
        String domainLimit = limitTo;
        RoleAssignments.Query query = new RoleAssignments.Query(ctx.queryParam("user.id"), ctx.queryParam("group.id"),
                ctx.queryParam("role.id"), projectId, domainId, system,
                "projects".equals(ctx.queryParam("scope.OS-INHERIT:inherited_to")), effective,
                ctx.queryParamMap().containsKey("include_subtree") && Filters.truthy(orTrue(ctx.queryParam("include_subtree"))));
        String base = Http.baseUrl(ctx);
        Snapshot snapshot = directory.current();
        List<ObjectNode> lines = assignments.list(query).stream()
                .filter(l -> domainLimit == null || domainLimit.equals(domainOf(l.scope(), l.targetId())))
                .map(l -> render(base, l, includeNames, snapshot)).toList();
        Lists.answer(ctx, "role_assignments", lines);
    }

    private static String orTrue(String value) {
        return value == null || value.isEmpty() ? "true" : value;
    }

    private ObjectNode render(String base, RoleAssignments.Line l, boolean names, Snapshot snapshot) {
        ObjectNode n = Json.object();
        Assignment source = l.source();
        ObjectNode links = n.putObject("links");
        links.put("assignment", base + grantPath(source));
        if (l.viaGroup() != null) {
            links.put("membership", base + "/v3/groups/" + l.viaGroup() + "/users/" + l.actorId());
        }
        if (l.priorRole() != null) {
            links.put("prior_role", base + "/v3/roles/" + l.priorRole());
        }
        ObjectNode role = n.putObject("role").put("id", l.roleId());
        ObjectNode scope = n.putObject("scope");
        switch (l.scope()) {
            case PROJECT -> scope.set("project", named(names, l.targetId(), snapshot));
            case DOMAIN -> scope.set("domain", domainRef(names, l.targetId(), snapshot));
            case SYSTEM -> scope.putObject("system").put("all", true);
        }
        if (l.inherited()) {
            scope.put("OS-INHERIT:inherited_to", "projects");
        }
        ObjectNode actor = n.putObject(l.actor() == Actor.USER ? "user" : "group").put("id", l.actorId());
        if (names) {
            Role r = snapshot.roles().get(l.roleId());
            if (r != null) {
                role.put("name", r.name());
                if (r.domainId() != null) {
                    role.set("domain", domainRef(true, r.domainId(), snapshot));
                }
            }
            if (l.actor() == Actor.USER) {
                stores.users().get(l.actorId()).ifPresent(u -> actor.put("name", u.name()).set("domain", domainRef(true, u.domainId(), snapshot)));
            } else {
                stores.groups().get(l.actorId()).ifPresent(g -> actor.put("name", g.name()).set("domain", domainRef(true, g.domainId(), snapshot)));
            }
        }
        return n;
    }

    private static ObjectNode named(boolean names, String projectId, Snapshot snapshot) {
        ObjectNode n = Json.object().put("id", projectId);
        Project p = snapshot.projects().get(projectId);
        if (names && p != null) {
            n.put("name", p.name());
            n.set("domain", domainRef(true, p.domainId(), snapshot));
        }
        return n;
    }

    private static ObjectNode domainRef(boolean names, String domainId, Snapshot snapshot) {
        ObjectNode n = Json.object().put("id", domainId);
        Domain d = snapshot.domains().get(domainId);
        if (names && d != null) {
            n.put("name", d.name());
        }
        return n;
    }

    /** The path of the grant an assignment was made with. */
    private static String grantPath(Assignment a) {
        String actors = a.actor() == Actor.USER ? "users" : "groups";
        return switch (a.scope()) {
            case SYSTEM -> "/v3/system/" + actors + "/" + a.actorId() + "/roles/" + a.roleId();
            case PROJECT, DOMAIN -> {
                String target = (a.scope() == Scope.PROJECT ? "projects/" : "domains/") + a.targetId();
                yield a.inherited()
                        ? "/v3/OS-INHERIT/" + target + "/" + actors + "/" + a.actorId() + "/roles/" + a.roleId() + "/inherited_to_projects"
                        : "/v3/" + target + "/" + actors + "/" + a.actorId() + "/roles/" + a.roleId();
            }
        };
    }
}
