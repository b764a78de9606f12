package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;
import org.nubes.network.store.ResourceStore;
import org.nubes.network.store.ResourceStore.Row;

/**
 * Routers: a gateway on an external network (a port Neutron makes, with addresses from that
 * network's subnets), interfaces on subnets (ports holding the subnets' gateway addresses), and
 * static routes whose next hops are on those subnets.
 */
public final class Routers implements Collection {
    private static final Set<String> UPDATE = Set.of("name", "admin_state_up", "external_gateway_info", "routes", "description");
    private static final Set<String> CREATE = Set.of("name", "admin_state_up", "external_gateway_info", "description",
            "project_id", "tenant_id");

    private final Resources resources;
    private final ResourceStore store;
    private final Quotas quotas;
    private final Networks networks;
    private final Ports ports;

    public Routers(Resources resources, Quotas quotas, Networks networks, Ports ports) {
        this.resources = resources;
        this.store = resources.store();
        this.quotas = quotas;
        this.networks = networks;
        this.ports = ports;
    }

    @Override
    public Kind kind() {
        return Kind.ROUTER;
    }

    @Override
    public Row create(Handle h, Caller caller, JsonNode request) {
        Input in = Input.of(request, "router", "POST", CREATE);
        String project = Resources.project(caller, in);
        quotas.check(h, project, Kind.ROUTER, 1);
        String id = UUID.randomUUID().toString();
        ObjectNode attributes = Json.object()
                .put("name", in.string("name", ""))
                .put("admin_state_up", in.bool("admin_state_up", true))
                .put("status", "ACTIVE");
        attributes.set("external_gateway_info", gateway(h, caller, id, null, in.node("external_gateway_info")));
        attributes.putArray("routes");
        attributes.put("description", in.string("description", ""));
        return resources.insert(h, Kind.ROUTER, id, project, null, attributes);
    }

    @Override
    public Row update(Handle h, Caller caller, String id, JsonNode request) {
        Input in = Input.of(request, "router", "PUT", UPDATE);
        Row row = resources.owned(h, caller, Kind.ROUTER, id);
        ObjectNode body = row.body();
        body.put("name", in.string("name", body.path("name").asText()))
                .put("admin_state_up", in.bool("admin_state_up", body.path("admin_state_up").asBoolean()))
                .put("description", in.string("description", body.path("description").asText()));
        if (in.has("external_gateway_info")) {
            body.set("external_gateway_info", gateway(h, caller, id, body.get("external_gateway_info"), in.node("external_gateway_info")));
        }
        if (in.has("routes")) {
            body.set("routes", routes(h, id, in.list("routes")));
        }
        return resources.save(h, row);
    }

    @Override
    public void delete(Handle h, Caller caller, String id) {
        Row row = resources.owned(h, caller, Kind.ROUTER, id);
        if (!interfaces(h, id).isEmpty() || usedByFloatingIps(h, id)) {
            throw NeutronError.conflict("RouterInUse", "Router %s still has ports", id);
        }
        removeGatewayPort(h, id);
        store.delete(h, row.id());
    }

    /**
     * The router's new gateway info: none when the request clears it, else a port on the external
     * network (kept when the network stays and no addresses are asked for).
     */
    private JsonNode gateway(Handle h, Caller caller, String routerId, JsonNode current, JsonNode requested) {
        if (requested != null && !requested.isNull() && !requested.isObject()) {
            throw NeutronError.badAttribute("external_gateway_info", "'%s' is not a dictionary", requested);
        }
        if (requested == null || requested.isNull() || requested.isEmpty()) {
            checkNoFloatingIps(h, routerId, current);
            removeGatewayPort(h, routerId);
            return NullNode.getInstance();
        }
        Input in = Input.of((ObjectNode) requested);
        for (String adminOnly : List.of("enable_snat", "external_fixed_ips")) {
            if (in.has(adminOnly) && !caller.admin()) {
                throw NeutronError.policy("update_router:external_gateway_info:" + adminOnly);
            }
        }
        Row network = networks.requireExternal(h, caller, in.required("network_id"), "router");
        ObjectNode info = Json.object().put("network_id", network.id()).put("enable_snat", in.bool("enable_snat", true));
        boolean keep = current != null && network.id().equals(current.path("network_id").asText(null)) && !in.has("external_fixed_ips");
        if (keep) {
            info.set("external_fixed_ips", current.path("external_fixed_ips"));
            return info;
        }
        checkNoFloatingIps(h, routerId, current);
        removeGatewayPort(h, routerId);
        Row port = ports.servicePort(h, "", network, Ports.ROUTER_GATEWAY, routerId,
                in.has("external_fixed_ips") ? in.list("external_fixed_ips") : null);
        ArrayNode fixed = info.putArray("external_fixed_ips");
        port.body().path("fixed_ips").forEach(fixed::add);
        return info;
    }

    /**
     * 409 while floating IPs go out through the router's gateway, which is to go or move. (A
     * router with floating IPs has a gateway: it cannot lose it while they are there.)
     */
    private void checkNoFloatingIps(Handle h, String routerId, JsonNode currentGateway) {
        if (usedByFloatingIps(h, routerId)) {
            throw NeutronError.conflict("RouterExternalGatewayInUseByFloatingIp", "Gateway cannot be updated for router %s, "
                    + "since a gateway to external network %s is required by one or more floating IPs.", routerId,
                    currentGateway.path("network_id").asText());
        }
    }

    private void removeGatewayPort(Handle h, String routerId) {
        for (Row port : store.ofDevice(h, "port", routerId)) {
            if (port.body().path("device_owner").asText().equals(Ports.ROUTER_GATEWAY)) {
                ports.remove(h, port);
            }
        }
    }

    private boolean usedByFloatingIps(Handle h, String routerId) {
        return store.all(h, "floatingip").stream().anyMatch(f -> routerId.equals(f.body().path("router_id").asText(null)));
    }

    private List<Row> interfaces(Handle h, String routerId) {
        return store.ofDevice(h, "port", routerId).stream()
                .filter(p -> p.body().path("device_owner").asText().equals(Ports.ROUTER_INTERFACE)).toList();
    }

    static boolean onSubnet(Row port, String subnetId) {
        for (JsonNode ip : port.body().path("fixed_ips")) {
            if (ip.path("subnet_id").asText().equals(subnetId)) {
                return true;
            }
        }
        return false;
    }

    private ArrayNode routes(Handle h, String routerId, ArrayNode given) {
        List<Cidr> connected = new java.util.ArrayList<>();
        for (Row port : interfaces(h, routerId)) {
            for (JsonNode ip : port.body().path("fixed_ips")) {
                store.find(h, "subnet", ip.path("subnet_id").asText()).map(Subnets::cidr).ifPresent(connected::add);
            }
        }
        ArrayNode routes = Json.array();
        for (JsonNode route : given == null ? Json.array() : given) {
            Cidr destination = Cidr.parse("routes", route.path("destination").asText(null));
            Ip nexthop = Input.ip("routes", route.get("nexthop"));
            if (connected.stream().noneMatch(c -> c.contains(nexthop))) {
                throw new NeutronError(ApiException.Kind.BAD_REQUEST, "InvalidRoutes", ("Invalid format for routes: %s, "
                        + "the nexthop is not connected with router").formatted(Json.string(route)));
            }
            routes.addObject().put("destination", destination.toString()).put("nexthop", nexthop.toString());
        }
        return routes;
    }

    /** PUT add_router_interface: by subnet (a new port with its gateway address) or by an unused port. */
    public ObjectNode addInterface(Caller caller, String routerId, JsonNode request) {
        return resources.transaction(h -> addInterface(h, caller, routerId, request));
    }

    ObjectNode addInterface(Handle h, Caller caller, String routerId, JsonNode request) {
        Row router = resources.owned(h, caller, Kind.ROUTER, routerId);
        String subnetId = interfaceTarget(request);
        Row port;
        if (subnetId != null) {
            Row subnet = resources.owned(h, caller, Kind.SUBNET, subnetId);
            String gateway = subnet.body().path("gateway_ip").asText(null);
            if (gateway == null) {
                throw routerRequest("Subnet for router interface must have a gateway IP.");
            }
            checkOverlap(h, routerId, subnet);
            Row network = store.find(h, "network", subnet.parentId()).orElseThrow();
            ObjectNode fixedIp = Json.object().put("subnet_id", subnetId).put("ip_address", gateway);
            port = ports.servicePort(h, router.projectId(), network, Ports.ROUTER_INTERFACE, routerId, Json.array().add(fixedIp));
        } else {
            port = resources.owned(h, caller, Kind.PORT, request.path("port_id").asText());
            if (!port.body().path("device_id").asText().isEmpty()) {
                throw NeutronError.conflict("PortInUse", "Unable to complete operation on port %s for network %s. "
                        + "Port already has an attached device %s.", port.id(), port.parentId(),
                        port.body().path("device_id").asText());
            }
            if (port.body().path("fixed_ips").isEmpty()) {
                throw routerRequest("Router port must have at least one fixed IP");
            }
            for (JsonNode ip : port.body().path("fixed_ips")) {
                checkOverlap(h, routerId, store.find(h, "subnet", ip.path("subnet_id").asText()).orElseThrow());
            }
            port.body().put("device_owner", Ports.ROUTER_INTERFACE).put("device_id", routerId).put("status", "ACTIVE");
            port.body().putArray("security_groups");
            port = resources.save(h, port);
        }
        return interfaceInfo(router, port);
    }

    /** PUT remove_router_interface: removes the interface port, unless floating IPs or routes need it. */
    public ObjectNode removeInterface(Caller caller, String routerId, JsonNode request) {
        return resources.transaction(h -> removeInterface(h, caller, routerId, request));
    }

    ObjectNode removeInterface(Handle h, Caller caller, String routerId, JsonNode request) {
        Row router = resources.owned(h, caller, Kind.ROUTER, routerId);
        String subnetId = interfaceTarget(request);
        Row port;
        if (subnetId != null) {
            port = interfaces(h, routerId).stream().filter(p -> onSubnet(p, subnetId)).findFirst()
                    .orElseThrow(() -> NeutronError.notFound("RouterInterfaceNotFoundForSubnet",
                            "Router %s has no interface on subnet %s", routerId, subnetId));
        } else {
            String portId = request.path("port_id").asText();
            port = interfaces(h, routerId).stream().filter(p -> p.id().equals(portId)).findFirst()
                    .orElseThrow(() -> NeutronError.notFound("RouterInterfaceNotFound",
                            "Router %s does not have an interface with id %s", routerId, portId));
        }
        for (JsonNode ip : port.body().path("fixed_ips")) {
            String subnet = ip.path("subnet_id").asText();
            Cidr cidr = store.find(h, "subnet", subnet).map(Subnets::cidr).orElse(null);
            for (JsonNode route : router.body().path("routes")) {
                if (cidr != null && cidr.contains(Ip.parse(route.path("nexthop").asText()).orElseThrow())) {
                    throw NeutronError.conflict("RouterInterfaceInUseByRoute", "Router interface for subnet %s on router "
                            + "%s cannot be deleted, as it is required by one or more routes.", subnet, routerId);
                }
            }
            for (Row floating : store.all(h, "floatingip")) {
                String fixedPort = floating.body().path("port_id").asText(null);
                if (routerId.equals(floating.body().path("router_id").asText(null)) && fixedPort != null
                        && store.find(h, "port", fixedPort).filter(p -> onSubnet(p, subnet)).isPresent()) {
                    throw NeutronError.conflict("RouterInterfaceInUseByFloatingIP", "Router interface for subnet %s on "
                            + "router %s cannot be deleted, as it is required by one or more floating IPs.", subnet, routerId);
                }
            }
        }
        ports.remove(h, port);
        return interfaceInfo(router, port);
    }

    /** The subnet_id of an interface request, or null when it names a port; 400 unless exactly one is given. */
    private static String interfaceTarget(JsonNode request) {
        boolean bySubnet = request.hasNonNull("subnet_id");
        boolean byPort = request.hasNonNull("port_id");
        if (bySubnet && byPort) {
            throw routerRequest("Cannot specify both subnet-id and port-id");
        }
        if (!bySubnet && !byPort) {
            throw routerRequest("Either subnet_id or port_id must be specified");
        }
        return bySubnet ? request.path("subnet_id").asText() : null;
    }

    private void checkOverlap(Handle h, String routerId, Row subnet) {
        Cidr cidr = Subnets.cidr(subnet);
        for (Row port : interfaces(h, routerId)) {
            for (JsonNode ip : port.body().path("fixed_ips")) {
                Row other = store.find(h, "subnet", ip.path("subnet_id").asText()).orElse(null);
                if (other != null && Subnets.cidr(other).overlaps(cidr)) {
                    throw routerRequest("Cidr %s of subnet %s overlaps with cidr %s of subnet %s.".formatted(cidr, subnet.id(),
                            Subnets.cidr(other), other.id()));
                }
            }
        }
    }

    private static ObjectNode interfaceInfo(Row router, Row port) {
        ObjectNode info = Json.object().put("id", router.id()).put("tenant_id", router.projectId())
                .put("project_id", router.projectId()).put("port_id", port.id()).put("network_id", port.parentId());
        ArrayNode subnets = info.putArray("subnet_ids");
        port.body().path("fixed_ips").forEach(ip -> subnets.add(ip.path("subnet_id").asText()));
        info.put("subnet_id", subnets.isEmpty() ? null : subnets.get(0).asText());
        return info;
    }

    private static NeutronError routerRequest(String message) {
        return new NeutronError(ApiException.Kind.BAD_REQUEST, "BadRequest", "Bad router request: " + message);
    }
}
