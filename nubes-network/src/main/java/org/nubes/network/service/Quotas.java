package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;
import org.nubes.network.store.ResourceStore;

/**
 * Neutron's quotas, counted from the project's rows when it asks for more. The count and the
 * write that uses the quota run in one transaction holding the project's lock row, so two
 * concurrent requests cannot both take the last unit.
 */
public final class Quotas {
    /** Neutron's resources and default limits, in the order it lists them. */
    public static final Map<String, Integer> DEFAULTS = defaults();

    private final Resources resources;
    private final ResourceStore store;

    public Quotas(Resources resources) {
        this.resources = resources;
        this.store = resources.store();
    }

    private static Map<String, Integer> defaults() {
        Map<String, Integer> limits = new LinkedHashMap<>();
        limits.put("network", 100);
        limits.put("subnet", 100);
        limits.put("port", 500);
        limits.put("router", 10);
        limits.put("floatingip", 50);
        limits.put("security_group", 10);
        limits.put("security_group_rule", 100);
        limits.put("rbac_policy", 10);
        // Subnet pools are not offered; the limit is shown because Neutron always shows it.
        limits.put("subnetpool", -1);
        return limits;
    }

    /** Takes the project's lock row for the rest of the transaction. */
    public void lockProject(Handle h, String projectId) {
        store.lock(h, "project:" + projectId);
    }

    /** 409 OverQuota when the project has no room for {@code adding} more of the kind; locks the project first. */
    public void check(Handle h, String projectId, Kind kind, int adding) {
        lockProject(h, projectId);
        int limit = limits(h, projectId).get(kind.singular);
        if (limit >= 0 && store.count(h, kind.singular, projectId) + adding > limit) {
            throw NeutronError.conflict("OverQuota", "Quota exceeded for resources: ['%s'].", kind.singular);
        }
    }

    public Map<String, Integer> limits(Handle h, String projectId) {
        Map<String, Integer> limits = new LinkedHashMap<>(DEFAULTS);
        limits.putAll(store.quotas(h, projectId));
        return limits;
    }

    public ObjectNode show(Caller caller, String projectId) {
        checkReadable(caller, projectId);
        return resources.transaction(h -> quota(limits(h, projectId)));
    }

    public ObjectNode defaults(Caller caller, String projectId) {
        checkReadable(caller, projectId);
        return quota(DEFAULTS);
    }

    public ObjectNode detail(Caller caller, String projectId) {
        checkReadable(caller, projectId);
        return resources.transaction(h -> {
            ObjectNode body = Json.object();
            ObjectNode quota = body.putObject("quota");
            limits(h, projectId).forEach((resource, limit) -> quota.putObject(resource)
                    .put("used", store.count(h, resource, projectId)).put("limit", limit).put("reserved", 0));
            return body;
        });
    }

    /** Every project with limits of its own; for admins. */
    public ObjectNode list(Caller caller) {
        if (!caller.admin()) {
            throw NeutronError.policy("get_quota");
        }
        return resources.transaction(h -> {
            ObjectNode body = Json.object();
            var list = body.putArray("quotas");
            for (String projectId : store.projectsWithQuotas(h)) {
                ObjectNode quota = list.addObject();
                limits(h, projectId).forEach(quota::put);
                quota.put("project_id", projectId).put("tenant_id", projectId);
            }
            return body;
        });
    }

    public ObjectNode update(String projectId, JsonNode request) {
        JsonNode given = request.path("quota");
        if (!given.isObject()) {
            throw ApiException.badRequest("Resource body required");
        }
        return resources.transaction(h -> {
            for (var entry : given.properties()) {
                if (!DEFAULTS.containsKey(entry.getKey())) {
                    throw ApiException.badRequest("Unrecognized attribute(s) '%s'", entry.getKey());
                }
                if (entry.getValue().isNull()) {
                    throw NeutronError.badAttribute(entry.getKey(), "'None' is not an integer");
                }
                int limit = Input.of((ObjectNode) given).integer(entry.getKey(), 0);
                if (limit < -1) {
                    throw NeutronError.badAttribute(entry.getKey(), "'%d' should be greater than or equal to -1", limit);
                }
                store.setQuota(h, projectId, entry.getKey(), limit);
            }
            return quota(limits(h, projectId));
        });
    }

    public void reset(String projectId) {
        resources.transaction(h -> {
            store.deleteQuotas(h, projectId);
            return null;
        });
    }

    private static void checkReadable(Caller caller, String projectId) {
        if (!caller.owns(projectId)) {
            throw ApiException.forbidden("Non-admin is not authorised to access quotas for another project");
        }
    }

    private static ObjectNode quota(Map<String, Integer> limits) {
        ObjectNode body = Json.object();
        ObjectNode quota = body.putObject("quota");
        limits.forEach(quota::put);
        return body;
    }
}
