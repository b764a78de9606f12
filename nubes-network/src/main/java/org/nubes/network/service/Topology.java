package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.nubes.core.json.Json;
import org.nubes.network.store.ResourceStore;
import org.nubes.network.store.ResourceStore.Row;

/**
 * Networks Nubes makes on its own: the cloud's starting topology (an external network "public"
 * and, for the admin project, "private" behind "router1"), and Neutron's auto-allocated topology
 * (network, subnet and router) that gives any project a network on first need.
 */
public final class Topology {
    static final String PUBLIC = "public";
    static final String PUBLIC_CIDR = "203.0.113.0/24";
    static final String AUTO_NETWORK = "auto_allocated_network";
    static final String AUTO_ROUTER = "auto_allocated_router";

    private final Resources resources;
    private final ResourceStore store;
    private final Quotas quotas;
    private final Networks networks;
    private final Subnets subnets;
    private final Routers routers;

    public Topology(Resources resources, Quotas quotas, Networks networks, Subnets subnets, Routers routers) {
        this.resources = resources;
        this.store = resources.store();
        this.quotas = quotas;
        this.networks = networks;
        this.subnets = subnets;
        this.routers = routers;
    }

    /** Makes what is missing of the starting topology; a restart finds it all and changes nothing. */
    public void bootstrap(String adminProjectId) {
        Caller admin = new Caller(adminProjectId, true);
        resources.transaction(h -> {
            quotas.lockProject(h, adminProjectId);
            Row external = externalNetwork(h).orElse(null);
            if (external == null) {
                external = networks.create(h, admin, request("network", Json.object().put("name", PUBLIC)
                        .put("router:external", true).put("is_default", true).put("shared", true)));
                subnets.create(h, admin, request("subnet", Json.object().put("name", "public-subnet")
                        .put("network_id", external.id()).put("ip_version", 4).put("cidr", PUBLIC_CIDR).put("enable_dhcp", false)));
            }
            boolean hasPrivate = store.ofProject(h, "network", adminProjectId).stream()
                    .anyMatch(n -> n.body().path("name").asText().equals("private"));
            if (!hasPrivate) {
                topology(h, admin, adminProjectId, external, "private", "private-subnet", "router1");
            }
            return null;
        });
    }

    /**
     * GET auto-allocated-topology/{project_id}: the project's auto-allocated network, made with a
     * subnet (the first 10.x.y.0/24 none of its subnets overlaps) and a router to the external
     * network when it has none.
     */
    public ObjectNode autoAllocate(Caller caller, String projectId, boolean dryRun) {
        if (!caller.owns(projectId)) {
            throw NeutronError.policy("get_auto_allocated_topology");
        }
        ObjectNode body = Json.object();
        if (dryRun) {
            resources.transaction(h -> externalNetwork(h).orElseThrow(Topology::noExternalNetwork));
            body.putObject("auto_allocated_topology").put("dry-run", "pass");
            return body;
        }
        String networkId = resources.transaction(h -> {
            quotas.lockProject(h, projectId);
            Optional<Row> existing = autoAllocated(h, projectId);
            if (existing.isPresent()) {
                return existing.get().id();
            }
            Row external = externalNetwork(h).orElseThrow(Topology::noExternalNetwork);
            return topology(h, new Caller(projectId, true), projectId, external, AUTO_NETWORK, "auto_allocated_subnet_v4",
                    AUTO_ROUTER);
        });
        body.putObject("auto_allocated_topology").put("id", networkId).put("tenant_id", projectId);
        return body;
    }

    /**
     * DELETE auto-allocated-topology/{project_id}: the router's interfaces and the router, then the
     * network and its subnet; 409 while other ports (servers') are on the network.
     */
    public void deleteAutoAllocated(Caller caller, String projectId) {
        if (!caller.owns(projectId)) {
            throw NeutronError.policy("delete_auto_allocated_topology");
        }
        resources.transaction(h -> {
            quotas.lockProject(h, projectId);
            Row network = autoAllocated(h, projectId).orElseThrow(() -> NeutronError.notFound("AutoAllocatedTopologyNotFound",
                    "Auto Allocated Topology for project %s could not be found.", projectId));
            Caller owner = new Caller(projectId, true);
            for (Row router : store.ofProject(h, "router", projectId)) {
                if (router.body().path("name").asText().equals(AUTO_ROUTER)) {
                    for (Row port : store.ofDevice(h, "port", router.id())) {
                        if (port.parentId().equals(network.id())) {
                            routers.removeInterface(h, owner, router.id(), Json.object().put("port_id", port.id()));
                        }
                    }
                    routers.delete(h, owner, router.id());
                }
            }
            networks.delete(h, owner, network.id());
            return null;
        });
    }

    private Optional<Row> autoAllocated(Handle h, String projectId) {
        return store.ofProject(h, "network", projectId).stream()
                .filter(n -> n.body().path("name").asText().equals(AUTO_NETWORK)).findFirst();
    }

    private static NeutronError noExternalNetwork() {
        return NeutronError.conflict("AutoAllocationFailure", "Deployment error: No default router:external network.");
    }

    /** A network with one IPv4 subnet and a router from it to the external network; returns the network's id. */
    private String topology(Handle h, Caller owner, String projectId, Row external, String network, String subnet, String router) {
        Row net = networks.create(h, owner, request("network", Json.object().put("name", network).put("project_id", projectId)));
        Row sub = subnets.create(h, owner, request("subnet", Json.object().put("name", subnet).put("network_id", net.id())
                .put("ip_version", 4).put("cidr", freeCidr(h, projectId)).put("project_id", projectId)));
        ObjectNode gateway = Json.object().put("network_id", external.id());
        ObjectNode routerAttributes = Json.object().put("name", router).put("project_id", projectId);
        routerAttributes.set("external_gateway_info", gateway);
        Row r = routers.create(h, owner, request("router", routerAttributes));
        routers.addInterface(h, owner, r.id(), Json.object().put("subnet_id", sub.id()));
        return net.id();
    }

    /** The first 10.x.y.0/24 that overlaps none of the project's subnets. */
    private String freeCidr(Handle h, String projectId) {
        List<Cidr> taken = store.ofProject(h, "subnet", projectId).stream().map(Subnets::cidr).toList();
        for (int x = 0; x < 256; x++) {
            for (int y = 0; y < 256; y++) {
                Cidr candidate = Cidr.parse("cidr", "10.%d.%d.0/24".formatted(x, y));
                if (taken.stream().noneMatch(candidate::overlaps)) {
                    return candidate.toString();
                }
            }
        }
        throw NeutronError.conflict("AutoAllocationFailure", "No free 10.0.0.0/8 subnet left for project %s.", projectId);
    }

    /** The cloud's external network: the default one, else the one named public, else any. */
    private Optional<Row> externalNetwork(Handle h) {
        List<Row> external = store.all(h, "network").stream().filter(n -> n.body().path("router:external").asBoolean()).toList();
        return external.stream().filter(n -> n.body().path("is_default").asBoolean()).findFirst()
                .or(() -> external.stream().filter(n -> n.body().path("name").asText().equals(PUBLIC)).findFirst())
                .or(() -> external.stream().findFirst());
    }

    private static JsonNode request(String resource, ObjectNode attributes) {
        ObjectNode request = Json.object();
        request.set(resource, attributes);
        return request;
    }
}
