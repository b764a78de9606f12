package org.nubes.compute.api;

import static org.nubes.core.auth.Access.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.Map;
import org.nubes.compute.service.ServerNetworks;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/**
 * Nova's os-security-groups proxy (GET only, up to 2.35): the project's security groups as the
 * networking service has them, in Nova's form, read with the user's token. Clients that find a
 * group by name through Nova (the openstack CLI's server add/remove security group) use it.
 */
public final class SecurityGroupProxyApi {
    private final ServerNetworks networks;

    public SecurityGroupProxyApi(ServerNetworks networks) {
        this.networks = networks;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/os-security-groups", rule("os_compute_api:os-security-groups:get"), this::list);
        routes.get("/v2.1/os-security-groups/{id}", rule("os_compute_api:os-security-groups:show"), this::show);
    }

    private void list(Context ctx) {
        requireProxy(ctx);
        var groups = networks.securityGroupsOf(ctx.header("X-Auth-Token"), Http.caller(ctx).projectId());
        Map<String, String> names = new HashMap<>();
        groups.forEach(g -> names.put(g.path("id").asText(), g.path("name").asText()));
        var list = Json.array();
        groups.forEach(g -> list.add(view(g, names)));
        Http.json(ctx, Json.object().set("security_groups", list));
    }

    private void show(Context ctx) {
        requireProxy(ctx);
        String token = ctx.header("X-Auth-Token");
        String project = Http.caller(ctx).projectId();
        JsonNode group = networks.securityGroupOf(token, project, ctx.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("Security group %s not found.", ctx.pathParam("id")));
        Map<String, String> names = new HashMap<>();
        networks.securityGroupsOf(token, project).forEach(g -> names.put(g.path("id").asText(), g.path("name").asText()));
        Http.json(ctx, Json.object().set("security_group", view(group, names)));
    }

    /** The proxy APIs are gone from 2.36. */
    private static void requireProxy(Context ctx) {
        if (Http.microversion(ctx).atLeast(2, 36)) {
            throw ApiException.notFound("The resource could not be found.");
        }
    }

    /** Nova's form: the ingress rules only, with ports, protocol and either a CIDR or a group. */
    private static ObjectNode view(JsonNode group, Map<String, String> names) {
        ObjectNode view = Json.object().put("id", group.path("id").asText()).put("name", group.path("name").asText())
                .put("description", group.path("description").asText("")).put("tenant_id", group.path("project_id").asText());
        var rules = view.putArray("rules");
        for (JsonNode rule : group.path("security_group_rules")) {
            if (!"ingress".equals(rule.path("direction").asText())) {
                continue;
            }
            ObjectNode r = rules.addObject().put("id", rule.path("id").asText())
                    .put("parent_group_id", group.path("id").asText());
            r.set("ip_protocol", rule.get("protocol") == null ? Json.MAPPER.nullNode() : rule.get("protocol"));
            r.set("from_port", rule.get("port_range_min") == null ? Json.MAPPER.nullNode() : rule.get("port_range_min"));
            r.set("to_port", rule.get("port_range_max") == null ? Json.MAPPER.nullNode() : rule.get("port_range_max"));
            ObjectNode range = r.putObject("ip_range");
            ObjectNode remote = r.putObject("group");
            if (rule.hasNonNull("remote_ip_prefix")) {
                range.put("cidr", rule.path("remote_ip_prefix").asText());
            } else if (rule.hasNonNull("remote_group_id")) {
                remote.put("name", names.getOrDefault(rule.path("remote_group_id").asText(), ""))
                        .put("tenant_id", group.path("project_id").asText());
            }
        }
        return view;
    }
}
