package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;
import org.nubes.network.store.ResourceStore;
import org.nubes.network.store.ResourceStore.Row;

/**
 * Ports and their addresses (IPAM): fixed IPs by subnet, by address or chosen from the subnet's
 * pools, MAC addresses unique per network, bindings, security groups and address pairs.
 * An address is held by a row whose key is (subnet, address), so two ports never get the same
 * one, whichever node creates them.
 */
public final class Ports implements Collection {
    /** Ports Neutron makes for routers and floating IPs; they are removed through their owner. */
    public static final String ROUTER_INTERFACE = "network:router_interface";
    public static final String ROUTER_GATEWAY = "network:router_gateway";
    public static final String FLOATING_IP = "network:floatingip";
    private static final Set<String> SERVICE_OWNERS = Set.of(ROUTER_INTERFACE, ROUTER_GATEWAY, FLOATING_IP);
    private static final Set<String> VNIC_TYPES = Set.of("normal", "direct", "macvtap", "baremetal", "direct-physical",
            "virtio-forwarder", "smart-nic", "remote-managed", "vdpa");
    /** Binding details Neutron shows and takes from admins only (the compute service binds ports). */
    private static final List<String> ADMIN_BINDING = List.of("binding:host_id", "binding:profile", "binding:vif_type",
            "binding:vif_details");
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    /** Concurrent creates pick among this many free addresses, so they rarely race for the same one. */
    private static final int CANDIDATES = 32;
    private static final long PROBE_WINDOW = 256;
    private static final int PROBES = 16;
    private static final Set<String> UPDATE = Set.of("name", "admin_state_up", "mac_address", "fixed_ips", "device_id",
            "device_owner", "binding:host_id", "binding:profile", "binding:vnic_type", "allowed_address_pairs",
            "security_groups", "port_security_enabled", "description");
    private static final Set<String> CREATE = Input.union(UPDATE, "network_id", "project_id", "tenant_id");

    private final Resources resources;
    private final ResourceStore store;
    private final Quotas quotas;
    private final Networks networks;
    private final SecurityGroups groups;
    private final java.util.Map<String, Long> probeWindows = new java.util.concurrent.ConcurrentHashMap<>();

    public Ports(Resources resources, Quotas quotas, Networks networks, SecurityGroups groups) {
        this.resources = resources;
        this.store = resources.store();
        this.quotas = quotas;
        this.networks = networks;
        this.groups = groups;
    }

    @Override
    public Kind kind() {
        return Kind.PORT;
    }

    @Override
    public Row create(Handle h, Caller caller, JsonNode request) {
        Input in = Input.of(request, "port", "POST", CREATE);
        checkBinding(caller, in, "create_port");
        Row network = resources.get(h, caller, Kind.NETWORK, in.required("network_id"));
        if (!networks.usable(h, caller, network)) {
            throw NeutronError.policy("create_port");
        }
        if (!caller.owns(network.projectId())) {
            checkNetworkOwnerOnly(in);
        }
        String project = Resources.project(caller, in);
        quotas.check(h, project, Kind.PORT, 1);
        return insert(h, project, network, in);
    }

    /**
     * A port Neutron makes for a router or a floating IP (the owner): held by that device, not
     * filtered, with the fixed IPs asked for (null: as for any new port). Access and quota are not
     * checked: the device was allowed already.
     */
    Row servicePort(Handle h, String project, Row network, String owner, String deviceId, ArrayNode fixedIps) {
        ObjectNode request = Json.object().put("device_owner", owner).put("device_id", deviceId).put("port_security_enabled", false);
        if (fixedIps != null) {
            request.set("fixed_ips", fixedIps);
        }
        return insert(h, project, network, Input.of(request));
    }

    /** A new port on the network; the caller has checked access and quota. */
    private Row insert(Handle h, String project, Row requestedNetwork, Input in) {
        Row network = resources.lockNetwork(h, requestedNetwork.id());
        String id = java.util.UUID.randomUUID().toString();
        String owner = in.string("device_owner", "");
        boolean portSecurity = in.bool("port_security_enabled", network.body().path("port_security_enabled").asBoolean(true));
        ObjectNode attributes = Json.object()
                .put("name", in.string("name", ""))
                .put("network_id", network.id())
                .put("admin_state_up", in.bool("admin_state_up", true))
                .put("mac_address", claimMac(h, network.id(), in.string("mac_address", null), id))
                .put("device_id", in.string("device_id", ""))
                .put("device_owner", owner)
                .put("port_security_enabled", portSecurity);
        attributes.set("fixed_ips", allocate(h, network, in.has("fixed_ips") ? in.list("fixed_ips") : null, id));
        attributes.set("security_groups", in.has("security_groups") ? securityGroups(h, project, in.strings("security_groups"))
                : portSecurity && !owner.startsWith("network:") ? Json.array().add(groups.ensureDefault(h, project)) : Json.array());
        attributes.set("allowed_address_pairs", addressPairs(in.list("allowed_address_pairs"), attributes.path("mac_address").asText()));
        attributes.put("description", in.string("description", ""));
        bind(attributes, in);
        checkPortSecurity(attributes);
        return resources.insert(h, Kind.PORT, id, project, network.id(), attributes);
    }

    @Override
    public ObjectNode view(Handle h, Caller caller, Row row) {
        if (caller.admin()) {
            return row.body();
        }
        ObjectNode view = row.body().deepCopy();
        view.remove(ADMIN_BINDING);
        return view;
    }

    /** On a network shared with them, projects take the address, MAC and port security the network gives. */
    private static void checkNetworkOwnerOnly(Input in) {
        for (String attribute : List.of("mac_address", "port_security_enabled")) {
            if (in.has(attribute)) {
                throw NeutronError.policy("create_port:" + attribute);
            }
        }
        ArrayNode fixedIps = in.list("fixed_ips");
        if (fixedIps != null) {
            for (JsonNode ip : fixedIps) {
                if (ip.has("ip_address")) {
                    throw NeutronError.policy("create_port:fixed_ips:ip_address");
                }
            }
        }
    }

    /** 403 when a non-admin sets a binding detail only admins may set. */
    private static void checkBinding(Caller caller, Input in, String operation) {
        for (String attribute : List.of("binding:host_id", "binding:profile")) {
            if (in.has(attribute) && !caller.admin()) {
                throw NeutronError.policy(operation + ":" + attribute);
            }
        }
    }

    @Override
    public Row update(Handle h, Caller caller, String id, JsonNode request) {
        Input in = Input.of(request, "port", "PUT", UPDATE);
        checkBinding(caller, in, "update_port");
        Row row = resources.owned(h, caller, Kind.PORT, id);
        ObjectNode body = row.body();
        Row network = in.has("fixed_ips") || in.has("mac_address") ? resources.lockNetwork(h, row.parentId())
                : store.find(h, "network", row.parentId()).orElseThrow(() -> Kind.NETWORK.notFound(row.parentId()));
        body.put("name", in.string("name", body.path("name").asText()))
                .put("admin_state_up", in.bool("admin_state_up", body.path("admin_state_up").asBoolean()))
                .put("device_id", in.string("device_id", body.path("device_id").asText()))
                .put("device_owner", in.string("device_owner", body.path("device_owner").asText()))
                .put("port_security_enabled", in.bool("port_security_enabled", body.path("port_security_enabled").asBoolean()))
                .put("description", in.string("description", body.path("description").asText()));
        if (in.has("mac_address")) {
            if (!caller.admin()) {
                throw NeutronError.policy("update_port:mac_address");
            }
            store.releaseMac(h, id);
            body.put("mac_address", claimMac(h, network.id(), in.string("mac_address", null), id));
        }
        if (in.has("fixed_ips")) {
            for (JsonNode old : body.path("fixed_ips")) {
                store.releaseAddress(h, old.path("subnet_id").asText(), old.path("ip_address").asText());
            }
            body.set("fixed_ips", allocate(h, network, in.list("fixed_ips"), id));
        }
        if (in.has("security_groups")) {
            body.set("security_groups", securityGroups(h, row.projectId(), in.strings("security_groups")));
        }
        if (in.has("allowed_address_pairs")) {
            body.set("allowed_address_pairs", addressPairs(in.list("allowed_address_pairs"), body.path("mac_address").asText()));
        }
        bind(body, in);
        checkPortSecurity(body);
        return resources.save(h, row);
    }

    @Override
    public void delete(Handle h, Caller caller, String id) {
        Row row = resources.owned(h, caller, Kind.PORT, id);
        String owner = row.body().path("device_owner").asText();
        if (SERVICE_OWNERS.contains(owner)) {
            throw NeutronError.conflict("ServicePortInUse",
                    "Port %s cannot be deleted directly via the port API: has device owner %s.", id, owner);
        }
        remove(h, row);
    }

    /** Removes a port, its addresses and the floating IPs' association with it. */
    void remove(Handle h, Row port) {
        for (Row floating : store.ofDevice(h, "floatingip", port.id())) {
            FloatingIps.disassociated(floating.body());
            resources.save(h, floating);
        }
        store.releasePort(h, port.id());
        store.delete(h, port.id());
    }

    private String claimMac(Handle h, String networkId, String requested, String portId) {
        if (requested != null) {
            String mac = requested.toLowerCase();
            if (!MAC.matcher(mac).matches() || (Integer.parseInt(mac.substring(0, 2), 16) & 1) == 1
                    || mac.equals("00:00:00:00:00:00")) {
                throw NeutronError.badAttribute("mac_address", "'%s' is not a valid MAC address", requested);
            }
            if (!store.claimMac(h, networkId, mac, portId)) {
                throw NeutronError.conflict("MacAddressInUse", "Unable to complete operation for network %s. "
                        + "The mac address %s is in use.", networkId, mac);
            }
            return mac;
        }
        for (int attempt = 0; attempt < 16; attempt++) {
            byte[] tail = new byte[3];
            ThreadLocalRandom.current().nextBytes(tail);
            String mac = "fa:16:3e:" + HexFormat.ofDelimiter(":").formatHex(tail);
            if (store.claimMac(h, networkId, mac, portId)) {
                return mac;
            }
        }
        throw NeutronError.conflict("MacAddressGenerationFailure", "Unable to generate unique mac on network %s.", networkId);
    }

    /**
     * The port's fixed IPs: each request names a subnet, an address, or both; none given means one
     * address from the first IPv4 subnet and one from the first IPv6 subnet with room.
     */
    private ArrayNode allocate(Handle h, Row network, ArrayNode requested, String portId) {
        List<Row> subnets = store.children(h, "subnet", network.id());
        ArrayNode fixed = Json.array();
        if (requested == null) {
            for (int version : new int[] {4, 6}) {
                List<Row> candidates = subnets.stream().filter(s -> s.body().path("ip_version").asInt() == version).toList();
                if (candidates.isEmpty()) {
                    continue;
                }
                String address = null;
                Row chosen = null;
                for (Row subnet : candidates) {
                    address = claimFree(h, subnet, portId);
                    if (address != null) {
                        chosen = subnet;
                        break;
                    }
                }
                if (chosen == null) {
                    throw exhausted(network.id());
                }
                fixed.addObject().put("subnet_id", chosen.id()).put("ip_address", address);
            }
            return fixed;
        }
        for (JsonNode item : requested) {
            if (!item.isObject()) {
                throw NeutronError.badAttribute("fixed_ips", "'%s' is not a dictionary", item);
            }
            Row subnet = null;
            if (item.has("subnet_id")) {
                String subnetId = item.path("subnet_id").asText();
                subnet = subnets.stream().filter(s -> s.id().equals(subnetId)).findFirst()
                        .orElseThrow(() -> NeutronError.invalidInput("Failed to create port on network %s, because fixed_ips "
                                + "included invalid subnet %s", network.id(), subnetId));
            }
            if (item.has("ip_address")) {
                Ip ip = Input.ip("ip_address", item.get("ip_address"));
                if (subnet == null) {
                    subnet = subnets.stream().filter(s -> Subnets.cidr(s).contains(ip)).findFirst()
                            .orElseThrow(() -> new NeutronError(ApiException.Kind.BAD_REQUEST, "InvalidIpForNetwork",
                                    "IP address %s is not a valid IP for any of the subnets on the specified network.".formatted(ip)));
                } else if (!Subnets.cidr(subnet).contains(ip)) {
                    throw new NeutronError(ApiException.Kind.BAD_REQUEST, "InvalidIpForSubnet",
                            "IP address %s is not a valid IP for the specified subnet.".formatted(ip));
                }
                if (!store.claimAddress(h, subnet.id(), ip.toString(), portId)) {
                    throw NeutronError.conflict("IpAddressAlreadyAllocated", "IP address %s already allocated in subnet %s",
                            ip, subnet.id());
                }
                fixed.addObject().put("subnet_id", subnet.id()).put("ip_address", ip.toString());
            } else if (subnet != null) {
                String address = claimFree(h, subnet, portId);
                if (address == null) {
                    throw exhausted(network.id());
                }
                fixed.addObject().put("subnet_id", subnet.id()).put("ip_address", address);
            } else {
                throw NeutronError.badAttribute("fixed_ips", "a fixed IP needs a subnet_id or an ip_address");
            }
        }
        return fixed;
    }

    private static NeutronError exhausted(String networkId) {
        return NeutronError.conflict("IpAddressGenerationFailure", "No more IP addresses available on network %s.", networkId);
    }

    /**
     * Claims a free address of the subnet's pools, or returns null when they are full. Like
     * Neutron, it takes one at random from the low end of the pools. First it probes: a random
     * address in a window at the start of the pools, the window doubling after each miss, so that
     * a few lookups of one address find a free one without reading every address handed out (the
     * window each subnet last needed is remembered in this process, a hint only).
     * When the probes miss (pools nearly full), it reads what is taken and tries the lowest free
     * ones; another transaction may take a candidate first, then the next is tried.
     */
    private String claimFree(Handle h, Row subnet, String portId) {
        List<Subnets.Pool> pools = Subnets.pools(subnet.body());
        BigInteger size = BigInteger.ZERO;
        for (Subnets.Pool pool : pools) {
            size = size.add(pool.size());
        }
        long poolSize = size.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
        long window = Math.min(poolSize, probeWindows.getOrDefault(subnet.id(), PROBE_WINDOW));
        for (int probe = 0; probe < PROBES && window > 0; probe++) {
            String candidate = nth(pools, ThreadLocalRandom.current().nextLong(window)).toString();
            if (!store.addressTaken(h, subnet.id(), candidate) && store.claimAddress(h, subnet.id(), candidate, portId)) {
                // The next port starts with this window, or half of it when this one hit at once,
                // so that it follows the subnet as it fills and empties.
                probeWindows.put(subnet.id(), probe == 0 ? Math.max(PROBE_WINDOW, window / 2) : window);
                return candidate;
            }
            window = Math.min(poolSize, window * 2);
        }
        while (true) {
            Set<String> taken = store.allocatedAddresses(h, subnet.id());
            List<String> candidates = new ArrayList<>();
            for (Subnets.Pool pool : pools) {
                for (Ip ip = pool.start(); ip.compareTo(pool.end()) <= 0 && candidates.size() < CANDIDATES; ip = ip.plus(1)) {
                    if (!taken.contains(ip.toString())) {
                        candidates.add(ip.toString());
                    }
                }
            }
            if (candidates.isEmpty()) {
                return null;
            }
            java.util.Collections.shuffle(candidates);
            for (String candidate : candidates) {
                if (store.claimAddress(h, subnet.id(), candidate, portId)) {
                    return candidate;
                }
            }
        }
    }

    /** The address at offset n of the pools taken one after another. */
    private static Ip nth(List<Subnets.Pool> pools, long n) {
        long left = n;
        for (Subnets.Pool pool : pools) {
            long size = pool.size().min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
            if (left < size) {
                return pool.start().plus(left);
            }
            left -= size;
        }
        throw new IllegalArgumentException("offset " + n + " is beyond the pools");
    }

    private ArrayNode securityGroups(Handle h, String project, List<String> ids) {
        ArrayNode array = Json.array();
        for (String id : new java.util.LinkedHashSet<>(ids)) {
            Row group = store.find(h, "security_group", id).filter(g -> g.projectId().equals(project))
                    .orElseThrow(() -> Kind.SECURITY_GROUP.notFound(id));
            array.add(group.id());
        }
        return array;
    }

    private static ArrayNode addressPairs(ArrayNode given, String portMac) {
        ArrayNode pairs = Json.array();
        if (given == null) {
            return pairs;
        }
        for (JsonNode pair : given) {
            String address = pair.path("ip_address").asText(null);
            if (address == null) {
                throw NeutronError.badAttribute("allowed_address_pairs", "Allowed address pair must contain ip_address");
            }
            if (Ip.parse(address).isEmpty()) {
                Cidr.parse("allowed_address_pairs", address);
            }
            String mac = pair.path("mac_address").asText(portMac).toLowerCase();
            if (!MAC.matcher(mac).matches()) {
                throw NeutronError.badAttribute("allowed_address_pairs", "'%s' is not a valid MAC address", mac);
            }
            pairs.addObject().put("ip_address", address).put("mac_address", mac);
        }
        return pairs;
    }

    /**
     * binding:host_id binds the port to a compute host; Nubes' hosts plug ports into Linux
     * bridges, which is what binding:vif_type says once bound.
     */
    private static void bind(ObjectNode body, Input in) {
        String host = in.string("binding:host_id", body.path("binding:host_id").asText(""));
        String vnic = in.string("binding:vnic_type", body.path("binding:vnic_type").asText("normal"));
        if (!VNIC_TYPES.contains(vnic)) {
            throw NeutronError.badAttribute("binding:vnic_type", "'%s' is not in %s", vnic, VNIC_TYPES.stream().sorted().toList());
        }
        JsonNode profile = in.has("binding:profile") ? in.node("binding:profile") : body.path("binding:profile");
        if (profile.isNull() || profile.isMissingNode()) {
            profile = Json.object();
        }
        if (!profile.isObject()) {
            throw NeutronError.badAttribute("binding:profile", "'%s' is not a dictionary", profile);
        }
        boolean bound = !host.isEmpty();
        body.put("binding:host_id", host)
                .put("binding:vif_type", bound ? "bridge" : "unbound")
                .put("binding:vnic_type", vnic);
        body.set("binding:profile", profile);
        ObjectNode details = body.putObject("binding:vif_details");
        if (bound) {
            details.put("port_filter", true);
        }
        boolean service = body.path("device_owner").asText().startsWith("network:router");
        body.put("status", bound || service ? "ACTIVE" : "DOWN");
    }

    private static void checkPortSecurity(ObjectNode body) {
        if (body.path("port_security_enabled").asBoolean()) {
            return;
        }
        if (!body.path("security_groups").isEmpty()) {
            throw NeutronError.conflict("PortSecurityAndIPRequiredForSecurityGroups",
                    "Port security must be enabled and port must have an IP address in order to use security groups.");
        }
        if (!body.path("allowed_address_pairs").isEmpty()) {
            throw NeutronError.conflict("AddressPairAndPortSecurityRequired",
                    "Port Security must be enabled in order to have allowed address pairs on a port.");
        }
    }
}
