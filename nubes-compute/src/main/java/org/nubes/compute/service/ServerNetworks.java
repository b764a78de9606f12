package org.nubes.compute.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nubes.compute.driver.DriverException;
import org.nubes.compute.store.Instance;
import org.nubes.compute.store.Vif;
import org.nubes.core.client.NetworkClient;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's ports in the networking service, as Nova's network API deals with them: the API
 * checks what a create asks for with the user's token; the host makes and binds the ports with the
 * service token before the server starts, and removes them (or unbinds the user's own) after it
 * is gone. Without a networking service in the catalog servers get no ports, and naming a
 * network or port is refused.
 */
public final class ServerNetworks {
    private static final Logger LOG = LoggerFactory.getLogger(ServerNetworks.class);

    private final NetworkClient network;

    public ServerNetworks(NetworkClient network) {
        this.network = network;
    }

    /**
     * What the build request carries, checked with the user's token. requested null (nothing
     * asked, before 2.37) means the one network the project may use, or none; "auto" means that
     * network, or one the networking service makes for the project.
     */
    public RequestedNetworks resolve(String userToken, String projectId, RequestedNetworks requested, int count) {
        boolean available = network.available();
        if (requested == null || requested instanceof RequestedNetworks.Auto) {
            if (!available) {
                return new RequestedNetworks.None();
            }
            // As Nova: the project's own networks, else the shared ones (never another project's, even for an admin).
            List<JsonNode> usable = network.networks(userToken, Map.of("router:external", "false", "project_id", projectId));
            if (usable.isEmpty()) {
                usable = network.networks(userToken, Map.of("router:external", "false", "shared", "true"));
            }
            if (usable.size() > 1) {
                throw ApiException.conflict("Multiple possible networks found, use a Network ID to be more specific.");
            }
            if (usable.size() == 1) {
                return new RequestedNetworks.Listed(List.of(new RequestedNetworks.Requested(usable.getFirst().path("id").asText(), null, null)));
            }
            return requested == null ? new RequestedNetworks.None() : requested;
        }
        if (requested instanceof RequestedNetworks.Listed listed) {
            for (RequestedNetworks.Requested entry : listed.entries()) {
                if (entry.portId() != null) {
                    checkPort(userToken, entry.portId(), count, available);
                } else if (!available || network.network(userToken, entry.networkId()).isEmpty()) {
                    throw ApiException.badRequest("Network %s could not be found.", entry.networkId());
                } else if (entry.fixedIp() != null) {
                    checkFixedIpFree(entry, count);
                }
            }
        }
        return requested;
    }

    /**
     * The security groups a create names (by name or id), as the user sees them; 400 for one the
     * project does not have. Empty without a networking service.
     */
    public List<Vif.SecurityGroup> securityGroups(String userToken, String projectId, List<String> names) {
        if (!network.available()) {
            return List.of();
        }
        List<Vif.SecurityGroup> groups = new ArrayList<>();
        for (String name : names) {
            Vif.SecurityGroup group = securityGroup(userToken, projectId, name)
                    .orElseThrow(() -> ApiException.badRequest("Security group %s not found for project %s.", name, projectId));
            if (!groups.contains(group)) {
                groups.add(group);
            }
        }
        return groups;
    }

    /** The project's security groups, as the networking service shows them (none without one). */
    public List<JsonNode> securityGroupsOf(String userToken, String projectId) {
        return network.available() ? network.securityGroups(userToken, Map.of("project_id", projectId)) : List.of();
    }

    /** The security group as the user sees it (see {@link #findSecurityGroup}); empty without a networking service. */
    public Optional<JsonNode> securityGroupOf(String userToken, String projectId, String nameOrId) {
        return network.available() ? findSecurityGroup(userToken, projectId, nameOrId) : Optional.empty();
    }

    private Optional<Vif.SecurityGroup> securityGroup(String userToken, String projectId, String nameOrId) {
        return findSecurityGroup(userToken, projectId, nameOrId)
                .map(g -> new Vif.SecurityGroup(g.path("id").asText(), g.path("name").asText()));
    }

    /**
     * As Nova finds a group a server create names: the project's group of that name, else the
     * group of that id (a name that is another group's id means the named one).
     */
    private Optional<JsonNode> findSecurityGroup(String userToken, String projectId, String nameOrId) {
        List<JsonNode> named = network.securityGroups(userToken, Map.of("name", nameOrId, "project_id", projectId));
        return !named.isEmpty() ? Optional.of(named.getFirst()) : network.securityGroup(userToken, nameOrId);
    }

    /**
     * Adds a security group to every port of the server, or takes it from every port that has it
     * (Nova's addSecurityGroup and removeSecurityGroup); 404 for a group the user does not have,
     * 400 for taking one no port has. The server's interfaces as they are now.
     */
    public List<Vif> changeSecurityGroup(String userToken, Instance server, String name, boolean add) {
        Vif.SecurityGroup group = securityGroup(userToken, server.projectId(), name).orElseThrow(() ->
                ApiException.notFound("Security group %s not found for project %s.", name, server.projectId()));
        if (!add && server.networkInfo().stream().noneMatch(vif -> vif.securityGroups().contains(group))) {
            throw ApiException.badRequest("Security group %s is not a member of instance %s", name, server.id());
        }
        List<Vif> vifs = new ArrayList<>();
        for (Vif vif : server.networkInfo()) {
            List<Vif.SecurityGroup> groups = new ArrayList<>(vif.securityGroups());
            if (groups.contains(group) != add) {
                if (add) {
                    groups.add(group);
                } else {
                    groups.remove(group);
                }
                setSecurityGroups(vif, groups);
            }
            vifs.add(vif.withSecurityGroups(groups));
        }
        return vifs;
    }

    /**
     * The server's interfaces with the floating IPs the networking service now has on their ports
     * (what its network-changed event asks to look at again).
     */
    public List<Vif> withFloatingIps(List<Vif> vifs) {
        List<Vif> now = new ArrayList<>();
        for (Vif vif : vifs) {
            List<String> addresses = network.floatingIps(Map.of("port_id", vif.portId())).stream()
                    .map(f -> f.path("floating_ip_address").asText()).toList();
            now.add(vif.withFloatingIps(addresses));
        }
        return now;
    }

    private void setSecurityGroups(Vif vif, List<Vif.SecurityGroup> groups) {
        ObjectNode change = Json.object();
        groups.forEach(g -> change.withArray("security_groups").add(g.id()));
        if (groups.isEmpty()) {
            change.putArray("security_groups");
        }
        network.updatePort(vif.portId(), change);
    }

    /** As Nova: a fixed IP is for one server, and must not be taken on its network (by anyone's port). */
    private void checkFixedIpFree(RequestedNetworks.Requested entry, int count) {
        if (count > 1) {
            throw ApiException.badRequest("Unable to launch multiple instances with a single configured fixed IP address.");
        }
        List<JsonNode> holders = network.ports(Map.of("network_id", entry.networkId(), "fixed_ips", "ip_address=" + entry.fixedIp()));
        if (!holders.isEmpty()) {
            throw ApiException.badRequest("Fixed IP address %s is already in use on instance %s.", entry.fixedIp(),
                    holders.getFirst().path("device_id").asText());
        }
    }

    private void checkPort(String userToken, String portId, int count, boolean available) {
        if (count > 1) {
            throw ApiException.badRequest("Unable to launch multiple instances with a single configured port ID. "
                    + "Please launch your instance one by one with different ports.");
        }
        JsonNode port = available ? network.port(userToken, portId).orElse(null) : null;
        if (port == null) {
            throw ApiException.badRequest("Port %s could not be found.", portId);
        }
        if (!port.path("device_id").asText("").isEmpty()) {
            throw ApiException.conflict("Port %s is still in use.", portId);
        }
    }

    /**
     * Makes (or binds) the server's ports on host; on a failure the ports made so far are removed
     * again. The interfaces in the order asked.
     */
    public List<Vif> allocate(Instance server, String host, RequestedNetworks requested, List<Vif.SecurityGroup> groups) {
        List<RequestedNetworks.Requested> entries = switch (requested) {
            case RequestedNetworks.None none -> List.of();
            case RequestedNetworks.Auto auto -> List.of(new RequestedNetworks.Requested(
                    network.autoAllocatedNetwork(server.projectId()), null, null));
            case RequestedNetworks.Listed listed -> listed.entries();
        };
        Names names = new Names(groups);
        List<Vif> vifs = new ArrayList<>();
        try {
            for (RequestedNetworks.Requested entry : entries) {
                ObjectNode binding = Json.object().put("device_id", server.id())
                        .put("device_owner", "compute:" + (server.availabilityZone() == null ? "nova" : server.availabilityZone()))
                        .put("binding:host_id", host);
                if (entry.portId() != null) {
                    vifs.add(vif(network.updatePort(entry.portId(), binding), false, names));
                    continue;
                }
                ObjectNode port = binding.put("network_id", entry.networkId()).put("project_id", server.projectId());
                groups.forEach(g -> port.withArray("security_groups").add(g.id()));
                if (entry.fixedIp() != null) {
                    port.putArray("fixed_ips").addObject().put("ip_address", entry.fixedIp());
                }
                vifs.add(vif(network.createPort(port), true, names));
            }
            return vifs;
        } catch (RuntimeException e) {
            release(vifs);
            throw e;
        }
    }

    /**
     * Has the networking service connect the port to a server's network namespace on this host (as
     * the named device): the port's binding profile says where, as Nubes' own keys.
     */
    public void plug(String portId, java.nio.file.Path networkNamespace, String device) throws DriverException {
        ObjectNode profile = Json.object().put(NetworkClient.PROFILE_NETNS, networkNamespace.toString())
                .put(NetworkClient.PROFILE_DEVICE, device).put(NetworkClient.PROFILE_REQUESTED_AT, java.time.Instant.now().toString());
        try {
            network.updatePort(portId, (ObjectNode) Json.object().set("binding:profile", profile));
        } catch (RuntimeException e) {
            throw new DriverException("The networking service could not connect port " + portId + ": " + e.getMessage(), e);
        }
    }

    /** Removes the ports made for the server and unbinds the ones it was given; failures are logged. */
    public void release(List<Vif> vifs) {
        for (Vif vif : vifs) {
            try {
                if (vif.createdHere()) {
                    network.deletePort(vif.portId());
                } else {
                    ObjectNode unbound = Json.object().put("device_id", "").put("device_owner", "").put("binding:host_id", "");
                    unbound.putObject("binding:profile");
                    network.updatePort(vif.portId(), unbound);
                }
            } catch (RuntimeException e) {
                LOG.warn("cannot release port {}: {}", vif.portId(), e.getMessage());
            }
        }
    }

    private Vif vif(JsonNode port, boolean createdHere, Names names) {
        String networkId = port.path("network_id").asText();
        List<Vif.FixedIp> ips = new ArrayList<>();
        for (JsonNode ip : port.path("fixed_ips")) {
            String address = ip.path("ip_address").asText();
            ips.add(new Vif.FixedIp(address, ip.path("subnet_id").asText(), address.contains(":") ? 6 : 4));
        }
        Map<String, String> details = new java.util.TreeMap<>();
        port.path("binding:vif_details").properties().forEach(e -> details.put(e.getKey(), e.getValue().asText()));
        List<Vif.SecurityGroup> groups = new ArrayList<>();
        for (JsonNode id : port.path("security_groups")) {
            String name = names.groupName(id.asText());
            if (name != null) {
                groups.add(new Vif.SecurityGroup(id.asText(), name));
            }
        }
        return new Vif(port.path("id").asText(), networkId, names.networkName(networkId), port.path("mac_address").asText(), ips,
                createdHere, port.path("binding:vif_type").asText(null), details, groups, List.of());
    }

    /** The names of networks and security groups, each asked of the networking service at most once. */
    private final class Names {
        private final Map<String, String> networks = new HashMap<>();
        private final Map<String, String> groups = new HashMap<>();

        /** With the names of the groups the ports made here get: only a given port's own groups are asked for. */
        Names(List<Vif.SecurityGroup> known) {
            known.forEach(g -> groups.put(g.id(), g.name()));
        }

        String networkName(String id) {
            return networks.computeIfAbsent(id, key -> network.network(key).map(n -> n.path("name").asText()).orElse(key));
        }

        /** null for a group the networking service does not have. */
        String groupName(String id) {
            return groups.computeIfAbsent(id, key -> network.securityGroup(key).map(g -> g.path("name").asText()).orElse(null));
        }
    }
}
