package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.nubes.core.json.Json;
import org.nubes.network.store.ResourceStore;
import org.nubes.network.store.ResourceStore.Row;

/**
 * RBAC policies on networks: access_as_shared lets the target project (or every project, "*")
 * see the network and put ports on it; access_as_external lets it use the network as external.
 */
public final class RbacPolicies implements Collection {
    private static final Set<String> ACTIONS = Set.of("access_as_shared", "access_as_external");
    private static final Set<String> CREATE = Set.of("object_type", "object_id", "action", "target_tenant", "project_id",
            "tenant_id");

    private final Resources resources;
    private final ResourceStore store;
    private final Quotas quotas;
    private final Networks networks;

    public RbacPolicies(Resources resources, Quotas quotas, Networks networks) {
        this.resources = resources;
        this.store = resources.store();
        this.quotas = quotas;
        this.networks = networks;
    }

    @Override
    public Kind kind() {
        return Kind.RBAC_POLICY;
    }

    @Override
    public Row create(Handle h, Caller caller, JsonNode request) {
        Input in = Input.of(request, "rbac_policy", "POST", CREATE);
        String type = in.required("object_type");
        if (!type.equals("network")) {
            throw NeutronError.badAttribute("object_type", "'%s' is not in ['network']", type);
        }
        String action = in.required("action");
        if (!ACTIONS.contains(action)) {
            throw NeutronError.badAttribute("action", "'%s' is not in %s", action, ACTIONS.stream().sorted().toList());
        }
        String target = in.required("target_tenant");
        Row network = resources.owned(h, caller, Kind.NETWORK, in.required("object_id"));
        String project = Resources.project(caller, in);
        quotas.check(h, project, Kind.RBAC_POLICY, 1);
        for (Row existing : store.children(h, "rbac_policy", network.id())) {
            if (existing.body().path("action").asText().equals(action)
                    && existing.body().path("target_tenant").asText().equals(target)) {
                throw NeutronError.conflict("DuplicateRbacPolicy", "An RBAC policy already exists with those values.");
            }
        }
        ObjectNode attributes = Json.object().put("object_type", type).put("object_id", network.id())
                .put("action", action).put("target_tenant", target);
        return resources.insert(h, Kind.RBAC_POLICY, project, network.id(), attributes);
    }

    @Override
    public Row update(Handle h, Caller caller, String id, JsonNode request) {
        Input in = Input.of(request, "rbac_policy", "PUT", Set.of("target_tenant"));
        Row row = resources.owned(h, caller, Kind.RBAC_POLICY, id);
        row.body().put("target_tenant", in.string("target_tenant", row.body().path("target_tenant").asText()));
        resources.save(h, row);
        checkPortsStayUsable(h, row);
        return row;
    }

    @Override
    public void delete(Handle h, Caller caller, String id) {
        Row row = resources.owned(h, caller, Kind.RBAC_POLICY, id);
        store.delete(h, id);
        checkPortsStayUsable(h, row);
    }

    /** A share that ports of other projects rely on stays: checked once the policy changed or went. */
    private void checkPortsStayUsable(Handle h, Row policy) {
        Row network = store.find(h, "network", policy.parentId()).orElseThrow();
        if (!networks.portsStayUsable(h, network)) {
            throw NeutronError.conflict("RbacPolicyInUse", "RBAC policy on object %s cannot be removed because other "
                    + "objects depend on it.", network.id());
        }
    }
}
