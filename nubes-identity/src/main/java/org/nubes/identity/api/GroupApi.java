package org.nubes.identity.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.identity.store.Group;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Ids;
import org.nubes.identity.store.User;

/**
 * /v3/groups and group membership. A membership change needs no token revocation: tokens resolve
 * their roles again once identity data has changed.
 */
final class GroupApi {
    private static final Set<String> KNOWN = Set.of("name", "domain_id", "description");

    private final IdentityStores stores;

    GroupApi(IdentityStores stores) {
        this.stores = stores;
    }

    void register(Routes routes) {
        routes.get("/v3/groups", Access.rule("identity:list_groups"), this::list);
        routes.post("/v3/groups", Access.rule("identity:create_group"), this::create);
        routes.get("/v3/groups/{group_id}", Access.rule("identity:get_group"), this::show);
        routes.patch("/v3/groups/{group_id}", Access.rule("identity:update_group"), this::update);
        routes.delete("/v3/groups/{group_id}", Access.rule("identity:delete_group"), this::delete);
        routes.get("/v3/groups/{group_id}/users", Access.rule("identity:list_users_in_group"), this::users);
        routes.put("/v3/groups/{group_id}/users/{user_id}", Access.rule("identity:add_user_to_group"), this::addUser);
        routes.getAndHead("/v3/groups/{group_id}/users/{user_id}", Access.rule("identity:check_user_in_group"), this::checkUser);
        routes.delete("/v3/groups/{group_id}/users/{user_id}", Access.rule("identity:remove_user_from_group"), this::removeUser);
    }

    private void list(Context ctx) {
        String domain = Lists.domainLimit(ctx, "identity:list_groups");
        String base = Http.baseUrl(ctx);
        List<ObjectNode> groups = stores.groups().list().stream()
                .filter(g -> domain == null || g.domainId().equals(domain))
                .map(g -> Views.group(base, g)).toList();
        Lists.answer(ctx, "groups", Filters.apply(ctx, groups, Set.of("domain_id", "name")));
    }

    private void create(Context ctx) {
        ObjectNode body = Body.resource(ctx, "group");
        String name = Body.requiredString(body, "name", 255).strip();
        String domainId = Body.optionalString(body, "domain_id", 64);
        if (domainId == null) {
            AuthContext caller = Http.caller(ctx);
            domainId = caller.domainId() != null ? caller.domainId() : "default";
        }
        String domain = domainId;
        Http.enforce(ctx, "identity:create_group", Target.of("domain_id", domain));
        stores.domains().get(domain).orElseThrow(() -> ApiException.notFound("Could not find domain: %s.", domain));
        String description = Body.optionalString(body, "description", 65535);
        Group group = new Group(Ids.newId(), name, domain, description == null ? "" : description, Body.extra(body, KNOWN));
        stores.groups().create(group);
        Http.json(ctx, 201, wrap(Http.baseUrl(ctx), group));
    }

    private void show(Context ctx) {
        Group group = readable(ctx, "identity:get_group");
        Http.json(ctx, wrap(Http.baseUrl(ctx), group));
    }

    private void update(Context ctx) {
        Group group = find(ctx.pathParam("group_id"));
        Http.enforce(ctx, "identity:update_group", Target.of("domain_id", group.domainId()));
        ObjectNode body = Body.resource(ctx, "group");
        if (body.isEmpty()) {
            throw Body.invalid("group", "{} does not have enough properties");
        }
        if (body.hasNonNull("id") && !body.get("id").asText().equals(group.id())) {
            throw ApiException.badRequest("Cannot change ID");
        }
        if (body.has("domain_id") && !group.domainId().equals(body.get("domain_id").asText(null))) {
            throw ApiException.badRequest("Cannot change Domain ID");
        }
        String name = body.has("name") ? Body.requiredString(body, "name", 255).strip() : group.name();
        String description = body.has("description") ? Body.optionalString(body, "description", 65535) : group.description();
        Group updated = new Group(group.id(), name, group.domainId(), description, Body.mergeExtra(group.extra(), body, KNOWN));
        stores.groups().update(updated);
        Http.json(ctx, wrap(Http.baseUrl(ctx), updated));
    }

    private void delete(Context ctx) {
        Group group = find(ctx.pathParam("group_id"));
        Http.enforce(ctx, "identity:delete_group", Target.of("domain_id", group.domainId()));
        stores.groups().delete(group.id());
        Http.noContent(ctx);
    }

    private void users(Context ctx) {
        Group group = readable(ctx, "identity:list_users_in_group");
        AuthContext caller = Http.caller(ctx);
        String base = Http.baseUrl(ctx);
        // A domain-scoped reader sees the members from their own domain only.
        List<ObjectNode> users = stores.users().inGroup(group.id()).stream()
                .filter(u -> caller.domainId() == null || caller.domainId().equals(u.domainId()))
                .map(u -> Views.user(base, u)).toList();
        Lists.answer(ctx, "users", Filters.apply(ctx, users, Set.of("domain_id", "enabled", "name")));
    }

    private void addUser(Context ctx) {
        Group group = find(ctx.pathParam("group_id"));
        User user = findUser(ctx.pathParam("user_id"));
        Http.enforce(ctx, "identity:add_user_to_group", Target.of("domain_id", group.domainId(), "user_domain_id", user.domainId()));
        stores.groups().addMember(group.id(), user.id());
        Http.noContent(ctx);
    }

    private void checkUser(Context ctx) {
        Group group = readable(ctx, "identity:check_user_in_group");
        User user = findUser(ctx.pathParam("user_id"));
        if (!stores.groups().isMember(group.id(), user.id())) {
            throw notMember(user.id(), group.id());
        }
        Http.noContent(ctx);
    }

    private void removeUser(Context ctx) {
        String groupId = ctx.pathParam("group_id");
        String userId = ctx.pathParam("user_id");
        Group group = find(groupId);
        User user = findUser(userId);
        Http.enforce(ctx, "identity:remove_user_from_group", Target.of("domain_id", group.domainId(), "user_domain_id", user.domainId()));
        if (!stores.groups().removeMember(groupId, userId)) {
            throw notMember(userId, groupId);
        }
        Http.noContent(ctx);
    }

    /**
     * The group of the path, after the targeted rule allowed the caller: the rule is checked first
     * (against no domain when the group does not exist) so that a caller who may not read groups
     * cannot learn which ids exist.
     */
    private Group readable(Context ctx, String rule) {
        String id = ctx.pathParam("group_id");
        Optional<Group> group = stores.groups().get(id);
        Http.enforce(ctx, rule, Target.of("domain_id", group.map(Group::domainId).orElse(null)));
        return group.orElseThrow(() -> ApiException.notFound("Could not find group: %s.", id));
    }

    private Group find(String id) {
        return stores.groups().get(id).orElseThrow(() -> ApiException.notFound("Could not find group: %s.", id));
    }

    private User findUser(String id) {
        return stores.users().get(id).orElseThrow(() -> ApiException.notFound("Could not find user: %s.", id));
    }

    private static ApiException notMember(String userId, String groupId) {
        return ApiException.notFound("User '%s' not found in group '%s'", userId, groupId);
    }

    private static ObjectNode wrap(String base, Group group) {
        return Views.wrap("group", Views.group(base, group));
    }
}
