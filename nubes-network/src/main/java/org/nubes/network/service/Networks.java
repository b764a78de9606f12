package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;
import org.nubes.network.store.ResourceStore;
import org.nubes.network.store.ResourceStore.Row;

/** Networks: the admin-only attributes (shared, router:external), MTU, and deletion only when unused. */
public final class Networks implements Collection {
    /** Neutron's global_physnet_mtu default; a network's MTU may not exceed it. */
    static final int MAX_MTU = 1500;
    private static final Set<String> UPDATE = Set.of("name", "admin_state_up", "shared", "router:external", "is_default",
            "mtu", "port_security_enabled", "description");
    private static final Set<String> CREATE = Input.union(UPDATE, "project_id", "tenant_id");

    private final Resources resources;
    private final ResourceStore store;
    private final Quotas quotas;

    public Networks(Resources resources, Quotas quotas) {
        this.resources = resources;
        this.store = resources.store();
        this.quotas = quotas;
    }

    @Override
    public Kind kind() {
        return Kind.NETWORK;
    }

    @Override
    public Row create(Handle h, Caller caller, JsonNode request) {
        Input in = Input.of(request, "network", "POST", CREATE);
        String project = Resources.project(caller, in);
        quotas.check(h, project, Kind.NETWORK, 1);
        ObjectNode attributes = Json.object()
                .put("name", in.string("name", ""))
                .put("admin_state_up", in.bool("admin_state_up", true))
                .put("status", "ACTIVE")
                .put("shared", adminOnly(caller, in, "shared"))
                .put("router:external", adminOnly(caller, in, "router:external"))
                .put("is_default", adminOnly(caller, in, "is_default"))
                .put("mtu", mtu(in, MAX_MTU))
                .put("port_security_enabled", in.bool("port_security_enabled", true))
                .put("description", in.string("description", ""));
        checkDefault(h, null, attributes);
        return resources.insert(h, Kind.NETWORK, project, null, attributes);
    }

    @Override
    public Row update(Handle h, Caller caller, String id, JsonNode request) {
        Input in = Input.of(request, "network", "PUT", UPDATE);
        Row row = resources.owned(h, caller, Kind.NETWORK, id);
        ObjectNode body = row.body();
        body.put("name", in.string("name", body.path("name").asText()))
                .put("admin_state_up", in.bool("admin_state_up", body.path("admin_state_up").asBoolean()))
                .put("mtu", mtu(in, body.path("mtu").asInt()))
                .put("port_security_enabled", in.bool("port_security_enabled", body.path("port_security_enabled").asBoolean()))
                .put("description", in.string("description", body.path("description").asText()));
        if (in.has("shared")) {
            boolean wasShared = body.path("shared").asBoolean();
            body.put("shared", adminOnly(caller, in, "shared"));
            if (wasShared && !portsStayUsable(h, row)) {
                throw NeutronError.conflict("InvalidSharedSetting", "Unable to reconfigure sharing settings for network %s. "
                        + "Multiple tenants are using it.", id);
            }
        }
        if (in.has("router:external")) {
            body.put("router:external", adminOnly(caller, in, "router:external"));
        }
        if (in.has("is_default")) {
            body.put("is_default", adminOnly(caller, in, "is_default"));
        }
        checkDefault(h, id, body);
        return resources.save(h, row);
    }

    /** The default external network (the one auto-allocated topologies use) is external, and the only one. */
    private void checkDefault(Handle h, String id, ObjectNode body) {
        if (!body.path("is_default").asBoolean()) {
            return;
        }
        if (!body.path("router:external").asBoolean()) {
            throw NeutronError.invalidInput("is_default may be set only on an external network (router:external).");
        }
        for (Row other : store.all(h, "network")) {
            if (!other.id().equals(id) && other.body().path("is_default").asBoolean()) {
                throw NeutronError.conflict("DefaultExternalNetworkExists", "A default external network already exists: %s.",
                        other.id());
            }
        }
    }

    @Override
    public void delete(Handle h, Caller caller, String id) {
        Row row = resources.owned(h, caller, Kind.NETWORK, id);
        resources.lockNetwork(h, id);
        if (!store.children(h, "port", id).isEmpty()) {
            throw NeutronError.conflict("NetworkInUse", "Unable to complete operation on network %s. "
                    + "There are one or more ports still in use on the network.", id);
        }
        for (Row child : store.children(h, "subnet", id)) {
            store.delete(h, child.id());
        }
        for (Row child : store.children(h, "rbac_policy", id)) {
            store.delete(h, child.id());
        }
        store.delete(h, row.id());
    }

    @Override
    public ObjectNode view(Handle h, Caller caller, Row row) {
        ObjectNode view = row.body().deepCopy();
        var subnets = view.putArray("subnets");
        store.children(h, "subnet", row.id()).stream().map(Row::id).sorted().forEach(subnets::add);
        return view;
    }

    /** Whether the caller may put ports on the network: theirs, shared, or shared with them. */
    public boolean usable(Handle h, Caller caller, Row network) {
        return caller.owns(network.projectId()) || network.body().path("shared").asBoolean()
                || resources.granted(h, caller, network.id(), "access_as_shared");
    }

    /**
     * Whether every project with a port on the network may still use it, as the network and its
     * RBAC policies are now: what stays true when the network stops being shared or a policy
     * changes or goes (the caller checks after the change and fails, rolling it back).
     */
    boolean portsStayUsable(Handle h, Row network) {
        for (Row port : store.children(h, "port", network.id())) {
            if (!port.projectId().isEmpty() && !usable(h, new Caller(port.projectId(), false), network)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The network a floating IP or a router gateway (the resource) is to use: one the caller sees
     * (else 404) and may use as external (else 400).
     */
    public Row requireExternal(Handle h, Caller caller, String networkId, String resource) {
        Row network = resources.get(h, caller, Kind.NETWORK, networkId);
        boolean external = network.body().path("router:external").asBoolean()
                || resources.granted(h, caller, network.id(), "access_as_external");
        if (!external) {
            throw new NeutronError(ApiException.Kind.BAD_REQUEST, "BadRequest",
                    "Bad %s request: Network %s is not a valid external network.".formatted(resource, network.id()));
        }
        return network;
    }

    private static boolean adminOnly(Caller caller, Input in, String attribute) {
        boolean value = in.bool(attribute, false);
        if (in.has(attribute) && !caller.admin()) {
            throw NeutronError.policy("create_network:" + attribute);
        }
        return value;
    }

    private static int mtu(Input in, int fallback) {
        int mtu = in.integer("mtu", fallback);
        if (mtu < 68) {
            throw NeutronError.badAttribute("mtu", "'%d' is too small - must be at least '68'", mtu);
        }
        if (mtu > MAX_MTU) {
            throw NeutronError.invalidInput("Requested MTU is too big, maximum is %d.", MAX_MTU);
        }
        return mtu;
    }
}
