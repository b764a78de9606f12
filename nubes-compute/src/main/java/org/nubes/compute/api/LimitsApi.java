package org.nubes.compute.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.Map;
import org.nubes.compute.service.QuotaSets;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.Target;
import org.nubes.core.http.Http;
import org.nubes.core.http.Microversion;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/**
 * GET /limits: the caller's project's absolute limits and use (rate limits are long gone: always
 * []). 2.36 drops the network keys, 2.39 maxImageMeta. An admin may ask about another project
 * with tenant_id.
 */
public final class LimitsApi {
    private final QuotaSets quotas;

    public LimitsApi(QuotaSets quotas) {
        this.quotas = quotas;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/limits", Access.rule("os_compute_api:limits"), this::limits);
    }

    private void limits(Context ctx) {
        Microversion version = Http.microversion(ctx);
        String projectId = Http.caller(ctx).projectId();
        String other = ctx.queryParam("tenant_id");
        if (other != null) {
            Http.enforce(ctx, "os_compute_api:limits:other_project", Target.of("project_id", other));
            projectId = other;
        }
        Map<String, QuotaSets.Usage> usage = quotas.usage(projectId);
        boolean network = !version.atLeast(2, 36);
        ObjectNode absolute = Json.object();
        if (!version.atLeast(2, 39)) {
            absolute.put("maxImageMeta", usage.get("metadata_items").limit());
        }
        absolute.put("maxPersonality", usage.get("injected_files").limit())
                .put("maxPersonalitySize", usage.get("injected_file_content_bytes").limit());
        if (network) {
            absolute.put("maxSecurityGroupRules", usage.get("security_group_rules").limit())
                    .put("maxSecurityGroups", usage.get("security_groups").limit());
        }
        absolute.put("maxServerMeta", usage.get("metadata_items").limit())
                .put("maxTotalCores", usage.get("cores").limit());
        if (network) {
            absolute.put("maxTotalFloatingIps", usage.get("floating_ips").limit());
        }
        absolute.put("maxTotalInstances", usage.get("instances").limit())
                .put("maxTotalKeypairs", usage.get("key_pairs").limit())
                .put("maxTotalRAMSize", usage.get("ram").limit())
                .put("maxServerGroups", usage.get("server_groups").limit())
                .put("maxServerGroupMembers", usage.get("server_group_members").limit())
                .put("totalCoresUsed", usage.get("cores").inUse())
                .put("totalInstancesUsed", usage.get("instances").inUse())
                .put("totalRAMUsed", usage.get("ram").inUse());
        if (network) {
            absolute.put("totalSecurityGroupsUsed", 0).put("totalFloatingIpsUsed", 0);
        }
        absolute.put("totalServerGroupsUsed", usage.get("server_groups").inUse());
        ObjectNode limits = Json.object();
        limits.set("absolute", absolute);
        limits.putArray("rate");
        Http.json(ctx, Json.object().set("limits", limits));
    }
}
