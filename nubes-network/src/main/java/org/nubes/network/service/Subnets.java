package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;
import org.nubes.network.store.ResourceStore;
import org.nubes.network.store.ResourceStore.Row;

/**
 * Subnets: the CIDR, the gateway and the allocation pools that IPAM hands addresses out of, the
 * IPv6 modes, and the rule that subnets of one network never overlap.
 */
public final class Subnets implements Collection {
    private static final Set<String> IPV6_MODES = Set.of("slaac", "dhcpv6-stateful", "dhcpv6-stateless");
    private static final Set<String> SETTINGS = Set.of("name", "gateway_ip", "allocation_pools", "dns_nameservers",
            "host_routes", "enable_dhcp", "description");
    private static final Set<String> CREATE = Input.union(SETTINGS, "network_id", "ip_version", "cidr", "ipv6_address_mode",
            "ipv6_ra_mode", "subnetpool_id", "project_id", "tenant_id");

    /** An inclusive range of addresses. */
    public record Pool(Ip start, Ip end) {
        boolean contains(Ip ip) {
            return ip.version() == start.version() && ip.compareTo(start) >= 0 && ip.compareTo(end) <= 0;
        }

        /** How many addresses it holds. */
        BigInteger size() {
            return end.value().subtract(start.value()).add(BigInteger.ONE);
        }

        @Override
        public String toString() {
            return start + "-" + end;
        }
    }

    private final Resources resources;
    private final ResourceStore store;
    private final Quotas quotas;

    public Subnets(Resources resources, Quotas quotas) {
        this.resources = resources;
        this.store = resources.store();
        this.quotas = quotas;
    }

    @Override
    public Kind kind() {
        return Kind.SUBNET;
    }

    @Override
    public Row create(Handle h, Caller caller, JsonNode request) {
        Input in = Input.of(request, "subnet", "POST", CREATE);
        String networkId = in.required("network_id");
        Row network = resources.get(h, caller, Kind.NETWORK, networkId);
        String project = Resources.project(caller, in);
        if (!caller.owns(network.projectId())) {
            throw NeutronError.policy("create_subnet");
        }
        if (in.string("subnetpool_id", null) != null) {
            throw NeutronError.invalidInput("subnet pools are not supported; give a cidr.");
        }
        int version = in.integer("ip_version", 4);
        if (version != 4 && version != 6) {
            throw NeutronError.badAttribute("ip_version", "'%d' is not in [4, 6]", version);
        }
        Cidr cidr = Cidr.parse("cidr", in.required("cidr"));
        if (cidr.version() != version) {
            throw NeutronError.invalidInput("Cidr %s does not match the ip_version %d.", cidr, version);
        }
        quotas.check(h, project, Kind.SUBNET, 1);
        resources.lockNetwork(h, networkId);
        for (Row other : store.children(h, "subnet", networkId)) {
            if (Cidr.parse("cidr", other.body().path("cidr").asText()).overlaps(cidr)) {
                throw NeutronError.invalidInput("Requested subnet with cidr: %s for network: %s overlaps with another subnet.",
                        cidr, networkId);
            }
        }
        String addressMode = ipv6Mode(in, "ipv6_address_mode", version);
        String raMode = ipv6Mode(in, "ipv6_ra_mode", version);
        if (addressMode != null && raMode != null && !addressMode.equals(raMode)) {
            throw NeutronError.invalidInput("ipv6_ra_mode set to '%s' with ipv6_address_mode set to '%s' is not valid. "
                    + "If both attributes are set, they must be the same value", raMode, addressMode);
        }
        ObjectNode attributes = Json.object()
                .put("name", "")
                .put("network_id", networkId)
                .put("ip_version", version)
                .put("cidr", cidr.toString());
        attributes.put("gateway_ip", cidr.network().plus(1).toString());
        attributes.putArray("allocation_pools");
        attributes.putArray("dns_nameservers");
        attributes.putArray("host_routes");
        attributes.put("enable_dhcp", true)
                .put("ipv6_address_mode", addressMode)
                .put("ipv6_ra_mode", raMode)
                .putNull("subnetpool_id")
                .put("description", "");
        settle(attributes, cidr, in, true);
        return resources.insert(h, Kind.SUBNET, project, networkId, attributes);
    }

    @Override
    public Row update(Handle h, Caller caller, String id, JsonNode request) {
        Input in = Input.of(request, "subnet", "PUT", SETTINGS);
        Row row = resources.owned(h, caller, Kind.SUBNET, id);
        settle(row.body(), cidr(row), in, false);
        return resources.save(h, row);
    }

    @Override
    public void delete(Handle h, Caller caller, String id) {
        Row row = resources.owned(h, caller, Kind.SUBNET, id);
        resources.lockNetwork(h, row.parentId());
        if (store.subnetHasAllocations(h, id)) {
            throw NeutronError.conflict("SubnetInUse", "Unable to complete operation on subnet %s: "
                    + "One or more ports have an IP allocation from this subnet.", id);
        }
        store.delete(h, row.id());
    }

    /**
     * Applies the settable attributes to a subnet's body, checking them against its CIDR: the
     * gateway, the pools (by default the whole range but the network, broadcast and gateway
     * addresses), name servers and host routes.
     */
    private static void settle(ObjectNode body, Cidr cidr, Input in, boolean creating) {
        body.put("name", in.string("name", body.path("name").asText()));
        body.put("description", in.string("description", body.path("description").asText()));
        body.put("enable_dhcp", in.bool("enable_dhcp", body.path("enable_dhcp").asBoolean()));
        Ip gateway = null;
        if (in.has("gateway_ip")) {
            if (!in.node("gateway_ip").isNull()) {
                gateway = Input.ip("gateway_ip", in.node("gateway_ip"));
                if (!cidr.contains(gateway) || unusable(cidr, gateway)) {
                    throw NeutronError.invalidInput("Gateway is not valid on subnet %s.", cidr);
                }
            }
        } else if (!body.path("gateway_ip").isNull()) {
            gateway = Ip.parse(body.path("gateway_ip").asText()).orElseThrow();
        }
        if (gateway == null) {
            body.putNull("gateway_ip");
        } else {
            body.put("gateway_ip", gateway.toString());
        }
        List<Pool> pools;
        if (in.has("allocation_pools")) {
            pools = pools(cidr, in.list("allocation_pools"));
        } else if (creating) {
            pools = defaultPools(cidr, gateway);
        } else {
            pools = pools(body);
        }
        if (gateway != null) {
            for (Pool pool : pools) {
                if (pool.contains(gateway)) {
                    throw NeutronError.conflict("GatewayConflictWithAllocationPools",
                            "Gateway ip %s conflicts with allocation pool %s.", gateway, pool);
                }
            }
        }
        ArrayNode poolArray = body.putArray("allocation_pools");
        pools.forEach(p -> poolArray.addObject().put("start", p.start().toString()).put("end", p.end().toString()));
        if (in.has("dns_nameservers")) {
            ArrayNode servers = body.putArray("dns_nameservers");
            Set<String> seen = new HashSet<>();
            for (JsonNode server : in.list("dns_nameservers")) {
                String address = Input.ip("dns_nameservers", server).toString();
                if (!seen.add(address)) {
                    throw NeutronError.badAttribute("dns_nameservers", "Duplicate nameserver '%s'", address);
                }
                servers.add(address);
            }
        }
        if (in.has("host_routes")) {
            ArrayNode routes = body.putArray("host_routes");
            for (JsonNode route : in.list("host_routes")) {
                Cidr destination = Cidr.parse("host_routes", route.path("destination").asText(null));
                Ip nexthop = Input.ip("host_routes", route.get("nexthop"));
                routes.addObject().put("destination", destination.toString()).put("nexthop", nexthop.toString());
            }
        }
    }

    /** IPv4's network and broadcast addresses are never handed out. */
    private static boolean unusable(Cidr cidr, Ip ip) {
        return cidr.version() == 4 && cidr.prefix() < 31 && (ip.equals(cidr.network()) || ip.equals(cidr.last()));
    }

    private static List<Pool> defaultPools(Cidr cidr, Ip gateway) {
        Ip first = cidr.prefix() >= Ip.bits(cidr.version()) - 1 ? cidr.network() : cidr.network().plus(1);
        Ip last = cidr.version() == 4 && cidr.prefix() < 31 ? cidr.last().plus(-1) : cidr.last();
        List<Pool> pools = new ArrayList<>();
        if (gateway != null && gateway.compareTo(first) >= 0 && gateway.compareTo(last) <= 0) {
            if (gateway.compareTo(first) > 0) {
                pools.add(new Pool(first, gateway.plus(-1)));
            }
            if (gateway.compareTo(last) < 0) {
                pools.add(new Pool(gateway.plus(1), last));
            }
        } else if (first.compareTo(last) <= 0) {
            pools.add(new Pool(first, last));
        }
        return pools;
    }

    private static List<Pool> pools(Cidr cidr, ArrayNode given) {
        List<Pool> pools = new ArrayList<>();
        for (JsonNode item : given == null ? Json.array() : given) {
            Ip start = Input.ip("allocation_pools", item.get("start"));
            Ip end = Input.ip("allocation_pools", item.get("end"));
            Pool pool = new Pool(start, end);
            if (!cidr.contains(start) || !cidr.contains(end) || unusable(cidr, start) || unusable(cidr, end)) {
                throw new NeutronError(ApiException.Kind.BAD_REQUEST, "OutOfBoundsAllocationPool",
                        "The allocation pool %s spans beyond the subnet cidr %s.".formatted(pool, cidr));
            }
            if (start.compareTo(end) > 0) {
                throw new NeutronError(ApiException.Kind.BAD_REQUEST, "InvalidAllocationPool",
                        "The allocation pool %s is not valid.".formatted(pool));
            }
            pools.add(pool);
        }
        pools.sort(Comparator.comparing(Pool::start));
        for (int i = 1; i < pools.size(); i++) {
            if (pools.get(i).start().compareTo(pools.get(i - 1).end()) <= 0) {
                throw new NeutronError(ApiException.Kind.BAD_REQUEST, "OverlappingAllocationPools",
                        "Found overlapping allocation pools: %s and %s for subnet %s.".formatted(pools.get(i - 1), pools.get(i), cidr));
            }
        }
        return pools;
    }

    /** The pools of a stored subnet. */
    static List<Pool> pools(ObjectNode subnet) {
        List<Pool> pools = new ArrayList<>();
        subnet.path("allocation_pools").forEach(p -> pools.add(new Pool(Ip.parse(p.path("start").asText()).orElseThrow(),
                Ip.parse(p.path("end").asText()).orElseThrow())));
        return pools;
    }

    static Cidr cidr(Row subnet) {
        return Cidr.parse("cidr", subnet.body().path("cidr").asText());
    }

    private static String ipv6Mode(Input in, String attribute, int version) {
        String mode = in.string(attribute, null);
        if (mode == null) {
            return null;
        }
        if (!IPV6_MODES.contains(mode)) {
            throw NeutronError.badAttribute(attribute, "'%s' is not in %s", mode, List.of("dhcpv6-stateful", "dhcpv6-stateless", "slaac"));
        }
        if (version != 6) {
            throw NeutronError.invalidInput("%s is not valid when ip_version is 4", attribute);
        }
        return mode;
    }
}
