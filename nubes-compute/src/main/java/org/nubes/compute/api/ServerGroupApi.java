package org.nubes.compute.api;

import static org.nubes.core.auth.Access.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nubes.compute.service.ServerGroups;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Microversion;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/** /os-server-groups, with the "policies" list of the microversions below 2.64. */
public final class ServerGroupApi {
    private final ServerGroups groups;

    public ServerGroupApi(ServerGroups groups) {
        this.groups = groups;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/os-server-groups", rule("os_compute_api:os-server-groups:index"), this::list);
        routes.post("/v2.1/os-server-groups", rule("os_compute_api:os-server-groups:create"), this::create);
        routes.get("/v2.1/os-server-groups/{id}", rule("os_compute_api:os-server-groups:show"), this::show);
        routes.delete("/v2.1/os-server-groups/{id}", rule("os_compute_api:os-server-groups:delete"), this::delete);
    }

    private void list(Context ctx) {
        AuthContext caller = Http.caller(ctx);
        boolean all = ServerApi.flag(ctx.queryParam("all_projects"));
        if (all) {
            Http.enforce(ctx, "os_compute_api:os-server-groups:index:all_projects", Target.NONE);
        }
        List<ServerGroups.Group> found = groups.list(all ? null : caller.projectId());
        int offset = nonNegative(ctx.queryParam("offset"), "offset", 0);
        int limit = nonNegative(ctx.queryParam("limit"), "limit", Integer.MAX_VALUE);
        ArrayNode list = Json.array();
        found.stream().skip(offset).limit(limit).forEach(g -> list.add(view(g, Http.microversion(ctx))));
        Http.json(ctx, Json.object().set("server_groups", list));
    }

    private static int nonNegative(String text, String name, int absent) {
        if (text == null) {
            return absent;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("%s param must be a non-negative integer", name);
        }
    }

    private void create(Context ctx) {
        Microversion v = Http.microversion(ctx);
        ObjectNode body = Http.jsonBody(ctx);
        Input.only(body, Set.of("server_group"));
        ObjectNode group = Input.object(body, "server_group");
        Input.only(group, Set.of("name", "policies"));
        String name = Input.name(group, "name", true);
        JsonNode policies = group.get("policies");
        if (policies == null || !policies.isArray() || policies.size() != 1 || !policies.get(0).isTextual()) {
            throw Input.invalid("policies", policies, "exactly one policy is required");
        }
        Set<String> allowed = new HashSet<>(Set.of("affinity", "anti-affinity"));
        if (v.atLeast(2, 15)) {
            allowed.addAll(Set.of("soft-affinity", "soft-anti-affinity"));
        }
        String policy = policies.get(0).asText();
        if (!allowed.contains(policy)) {
            throw Input.invalid("policies", policies, "'" + policy + "' is not one of " + allowed.stream().sorted().toList());
        }
        ServerGroups.Group made = groups.create(Http.caller(ctx), name, policy, Map.of());
        Http.json(ctx, Json.object().set("server_group", view(made, v)));
    }

    private ServerGroups.Group visible(Context ctx, String rule) {
        AuthContext caller = Http.caller(ctx);
        String id = ctx.pathParam("id");
        ServerGroups.Group group = groups.get(id)
                .filter(g -> caller.isAdmin() || g.projectId().equals(caller.projectId()))
                .orElseThrow(() -> ApiException.notFound("Instance group %s could not be found.", id));
        Http.enforce(ctx, rule, Target.of("project_id", group.projectId()));
        return group;
    }

    private void show(Context ctx) {
        Http.json(ctx, Json.object().set("server_group", view(visible(ctx, "os_compute_api:os-server-groups:show"),
                Http.microversion(ctx))));
    }

    private void delete(Context ctx) {
        groups.delete(visible(ctx, "os_compute_api:os-server-groups:delete").id());
        ctx.status(204);
    }

    private static ObjectNode view(ServerGroups.Group g, Microversion v) {
        ObjectNode view = Json.object().put("id", g.id()).put("name", g.name());
        view.putArray("policies").add(g.policy());
        ArrayNode members = view.putArray("members");
        g.members().forEach(members::add);
        view.putObject("metadata");
        if (v.atLeast(2, 13)) {
            view.put("project_id", g.projectId()).put("user_id", g.userId());
        }
        return view;
    }
}
