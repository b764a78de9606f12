package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;
import org.nubes.network.store.ResourceStore;
import org.nubes.network.store.ResourceStore.Row;

/**
 * Floating IPs: an address of an external network, held by a port Neutron makes for it, and
 * associated with a port's fixed IP only through a router that joins the port's subnet to that
 * external network.
 */
public final class FloatingIps implements Collection {
    private static final Set<String> UPDATE = Set.of("port_id", "fixed_ip_address", "description");
    private static final Set<String> CREATE = Set.of("floating_network_id", "floating_ip_address", "subnet_id", "port_id",
            "fixed_ip_address", "description", "project_id", "tenant_id");

    private final Resources resources;
    private final ResourceStore store;
    private final Quotas quotas;
    private final Networks networks;
    private final Ports ports;

    public FloatingIps(Resources resources, Quotas quotas, Networks networks, Ports ports) {
        this.resources = resources;
        this.store = resources.store();
        this.quotas = quotas;
        this.networks = networks;
        this.ports = ports;
    }

    @Override
    public Kind kind() {
        return Kind.FLOATINGIP;
    }

    @Override
    public Row create(Handle h, Caller caller, JsonNode request) {
        Input in = Input.of(request, "floatingip", "POST", CREATE);
        Row network = networks.requireExternal(h, caller, in.required("floating_network_id"), "floatingip");
        String project = Resources.project(caller, in);
        quotas.check(h, project, Kind.FLOATINGIP, 1);
        String id = UUID.randomUUID().toString();
        ObjectNode fixedIp = Json.object();
        String subnetId = in.string("subnet_id", null);
        if (subnetId == null) {
            subnetId = store.children(h, "subnet", network.id()).stream().filter(s -> s.body().path("ip_version").asInt() == 4)
                    .map(Row::id).sorted().findFirst()
                    .orElseThrow(() -> badRequest("Network %s has no IPv4 subnet for floating IPs.", network.id()));
        }
        fixedIp.put("subnet_id", subnetId);
        if (in.string("floating_ip_address", null) != null) {
            if (!caller.admin()) {
                throw NeutronError.policy("create_floatingip:floating_ip_address");
            }
            fixedIp.put("ip_address", in.string("floating_ip_address", null));
        }
        Row port = ports.servicePort(h, "", network, Ports.FLOATING_IP, id, Json.array().add(fixedIp));
        ObjectNode attributes = Json.object()
                .put("floating_ip_address", port.body().path("fixed_ips").path(0).path("ip_address").asText())
                .put("floating_network_id", network.id());
        disassociated(attributes);
        attributes.put("description", in.string("description", ""));
        String portId = in.string("port_id", null);
        if (portId != null) {
            associate(h, caller, network.id(), attributes, id, portId, in.string("fixed_ip_address", null));
        }
        return resources.insert(h, Kind.FLOATINGIP, id, project, network.id(), attributes);
    }

    @Override
    public Row update(Handle h, Caller caller, String id, JsonNode request) {
        Input in = Input.of(request, "floatingip", "PUT", UPDATE);
        Row row = resources.owned(h, caller, Kind.FLOATINGIP, id);
        ObjectNode body = row.body();
        body.put("description", in.string("description", body.path("description").asText()));
        if (in.has("port_id")) {
            String portId = in.string("port_id", null);
            if (portId == null) {
                disassociated(body);
            } else {
                associate(h, caller, row.parentId(), body, id, portId, in.string("fixed_ip_address", null));
            }
        }
        return resources.save(h, row);
    }

    @Override
    public void delete(Handle h, Caller caller, String id) {
        Row row = resources.owned(h, caller, Kind.FLOATINGIP, id);
        for (Row port : store.ofDevice(h, "port", id)) {
            ports.remove(h, port);
        }
        store.delete(h, row.id());
    }

    /** Clears a floating IP's association (its port went away, or was unset). */
    static void disassociated(ObjectNode body) {
        body.putNull("router_id").putNull("port_id").putNull("fixed_ip_address").put("status", "DOWN");
    }

    private void associate(Handle h, Caller caller, String networkId, ObjectNode body, String id, String portId, String fixedIp) {
        Row port = resources.owned(h, caller, Kind.PORT, portId);
        String address = null;
        String subnetId = null;
        for (JsonNode ip : port.body().path("fixed_ips")) {
            boolean v4 = ip.path("ip_address").asText().contains(".");
            if (fixedIp == null ? v4 && address == null : fixedIp.equals(ip.path("ip_address").asText())) {
                address = ip.path("ip_address").asText();
                subnetId = ip.path("subnet_id").asText();
            }
        }
        if (address == null) {
            throw fixedIp == null ? badRequest("Port %s does not have any IPv4 address.", portId)
                    : badRequest("Port %s does not have fixed ip %s.", portId, fixedIp);
        }
        String routerId = routerBetween(h, subnetId, networkId);
        if (routerId == null) {
            throw NeutronError.notFound("ExternalGatewayForFloatingIPNotFound", "External network %s is not reachable from "
                    + "subnet %s.  Therefore, cannot associate Port %s with a Floating IP.", networkId, subnetId, portId);
        }
        for (Row other : store.ofDevice(h, "floatingip", portId)) {
            if (!other.id().equals(id) && address.equals(other.body().path("fixed_ip_address").asText())) {
                throw NeutronError.conflict("FloatingIPPortAlreadyAssociated", "Cannot associate floating IP %s (%s) with "
                        + "port %s using fixed IP %s, as that fixed IP already has a floating IP on external network %s.",
                        body.path("floating_ip_address").asText(), id, portId, address, networkId);
            }
        }
        body.put("router_id", routerId).put("port_id", portId).put("fixed_ip_address", address).put("status", "ACTIVE");
    }

    /** A router with its gateway on the external network and an interface on the subnet, or null. */
    private String routerBetween(Handle h, String subnetId, String externalNetworkId) {
        for (Row router : store.all(h, "router")) {
            if (!externalNetworkId.equals(router.body().path("external_gateway_info").path("network_id").asText(null))) {
                continue;
            }
            for (Row port : store.ofDevice(h, "port", router.id())) {
                if (port.body().path("device_owner").asText().equals(Ports.ROUTER_INTERFACE)
                        && Routers.onSubnet(port, subnetId)) {
                    return router.id();
                }
            }
        }
        return null;
    }

    private static NeutronError badRequest(String format, Object... args) {
        return new NeutronError(ApiException.Kind.BAD_REQUEST, "BadRequest", "Bad floatingip request: " + format.formatted(args));
    }
}
