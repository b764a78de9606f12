package org.nubes.network.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.nubes.core.client.NetworkClient;
import org.nubes.core.http.ApiException;
import org.nubes.network.driver.FixedIp;
import org.nubes.network.driver.NetworkDriver;
import org.nubes.network.driver.NetworkDriverException;
import org.nubes.network.driver.NetworkSpec;
import org.nubes.network.driver.PortSecurity;
import org.nubes.network.driver.PortSpec;
import org.nubes.network.driver.Route;
import org.nubes.network.service.Ports;
import org.nubes.network.service.Resources;
import org.nubes.network.store.ResourceStore.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's part of the networking service (Neutron's L2 and L3 agents in one): after every
 * committed change it brings the host's networks in line with the rows, through the
 * {@link NetworkDriver}.
 * <ul>
 * <li>A server port is connected where its binding profile says (the compute host writes
 * {@code nubes_netns} and {@code nubes_device} when it starts the server), with its security
 * groups' rules applied first, so it is never open.
 * <li>A router gets its interfaces (ports owned by network:router_interface), its gateway (the
 * network:router_gateway port, with SNAT as asked), its routes and its floating IPs.
 * <li>A change of a security group's rules (which revises the group) is applied again to the
 * connected ports in that group; the addresses of each group's bound ports, which rules with a
 * remote group match, are kept as one set per group.
 * </ul>
 * What it applied is remembered, so it changes only what differs; after a restart of the process
 * it adopts what runs: connected ports are taken as they are (their servers kept running),
 * everything else is applied again, which the driver does without disturbing what is there.
 * Changes are applied one at a time; a failure is logged and tried again at the next change.
 */
public final class Dataplane {
    private static final Logger LOG = LoggerFactory.getLogger(Dataplane.class);

    /** What a connected server port was given, and the security groups its rules came from. */
    private record Plugged(JsonNode profile, PortSpec spec, PortSecurity security, Set<String> groups) {}

    /** What a router was given. */
    private record RouterState(Map<String, PortSpec> interfaces, PortSpec gateway, boolean snat, List<Route> routes,
            Map<String, String> floatingIps) {}

    private final Resources resources;
    private final NetworkDriver driver;
    // Concurrent: read without the lock to tell the changes that reach no host.
    private final Set<String> networks = ConcurrentHashMap.newKeySet();
    private final Map<String, Plugged> ports = new ConcurrentHashMap<>();
    private final Map<String, RouterState> routers = new ConcurrentHashMap<>();
    /** The router each associated floating IP (by id) was given to. */
    private final Map<String, String> routerOfFloatingIp = new ConcurrentHashMap<>();
    /** The addresses given to the driver for each security group (rules with a remote group match them). */
    private final Map<String, List<String>> groupMembers = new HashMap<>();
    /** Ports a compute host asked to connect in the change being applied, which could not be. */
    private final List<String> failedConnects = new ArrayList<>();

    public Dataplane(Resources resources, NetworkDriver driver) {
        this.resources = resources;
        this.driver = driver;
    }

    /** Applies what the rows a transaction wrote now say (null: gone). */
    public void changed(Map<String, Row> written) {
        if (written.entrySet().stream().allMatch(e -> unused(e.getKey(), e.getValue()))) {
            return; // most changes (a port nobody plugs, a network, a subnet) reach no host: no lock taken
        }
        applyChanges(written);
    }

    /** Whether a change leaves the host as it is: a row of no interest here, and nothing this host applied for it. */
    private boolean unused(String id, Row row) {
        if (row == null) {
            return !ports.containsKey(id) && !routers.containsKey(id) && !routerOfFloatingIp.containsKey(id) && !networks.contains(id)
                    && routers.values().stream().noneMatch(router -> router.interfaces().containsKey(id)
                            || router.gateway() != null && router.gateway().id().equals(id));
        }
        return switch (row.kind()) {
            // A rule reaches the host through its group, which every rule made or deleted revises.
            case "network", "subnet", "rbac_policy", "security_group_rule" -> true;
            case "port" -> !ports.containsKey(id) && !row.body().path("binding:profile").hasNonNull(NetworkClient.PROFILE_NETNS)
                    && !row.body().path("device_owner").asText("").startsWith("network:router");
            default -> false;
        };
    }

    private synchronized void applyChanges(Map<String, Row> written) {
        Set<String> routersToSync = new LinkedHashSet<>();
        Set<String> groupsChanged = new HashSet<>();
        boolean membersChanged = false;
        for (Map.Entry<String, Row> change : written.entrySet()) {
            String id = change.getKey();
            Optional<Row> row = Optional.ofNullable(change.getValue());
            if (row.isEmpty()) {
                membersChanged |= ports.containsKey(id);
                forget(id, routersToSync);
                continue;
            }
            switch (row.get().kind()) {
                case "port" -> {
                    boolean wasConnected = ports.containsKey(id);
                    routersToSync.addAll(syncPort(row.get(), false));
                    // A server port that comes, goes or changes changes who is in its security groups.
                    membersChanged |= wasConnected || ports.containsKey(id);
                }
                case "router" -> routersToSync.add(id);
                case "floatingip" -> {
                    routersToSync.add(row.get().body().path("router_id").asText(""));
                    routers.forEach((routerId, state) -> {
                        if (state.floatingIps().containsKey(row.get().body().path("floating_ip_address").asText())) {
                            routersToSync.add(routerId);
                        }
                    });
                }
                case "security_group" -> groupsChanged.add(id);
                default -> { } // networks and subnets reach the host through their ports
            }
        }
        for (Map.Entry<String, Plugged> plugged : List.copyOf(ports.entrySet())) {
            if (!Collections.disjoint(plugged.getValue().groups(), groupsChanged)) {
                resources.transaction(h -> resources.store().find(h, "port", plugged.getKey())).ifPresent(p -> syncPort(p, false));
            }
        }
        if (membersChanged) { // who is in a group depends on the ports alone
            syncGroupMembers();
        }
        routersToSync.remove("");
        routersToSync.forEach(this::syncRouter);
        if (!failedConnects.isEmpty()) {
            // The compute host that asked waits for the answer: a port it cannot use is its failure.
            String failed = String.join(", ", failedConnects);
            failedConnects.clear();
            throw new ApiException(ApiException.Kind.INTERNAL, "Port " + failed + " could not be connected on this host.");
        }
    }

    /** At start: adopts what runs and applies what the rows say. */
    public synchronized void syncAll() {
        List<Row> all = resources.transaction(h -> resources.store().all(h, "port"));
        Set<String> routerIds = new LinkedHashSet<>();
        for (Row port : all) {
            routerIds.addAll(syncPort(port, true));
        }
        syncGroupMembers();
        resources.transaction(h -> resources.store().all(h, "router")).forEach(r -> routerIds.add(r.id()));
        routerIds.forEach(this::syncRouter);
    }

    /** A row that is gone: a connected port is disconnected, a router removed, a network's segment removed. */
    private void forget(String id, Set<String> routersToSync) {
        Plugged plugged = ports.remove(id);
        if (plugged != null) {
            apply("disconnect port " + id, () -> {
                driver.unplugPort(id);
                driver.applyPortSecurity(PortSecurity.disabled(id, plugged.spec().mac()));
            });
        }
        routers.forEach((routerId, state) -> {
            if (state.interfaces().containsKey(id) || (state.gateway() != null && state.gateway().id().equals(id))) {
                routersToSync.add(routerId);
            }
        });
        if (routers.containsKey(id)) {
            routers.remove(id);
            apply("remove router " + id, () -> driver.deleteRouter(id));
        }
        if (networks.remove(id)) {
            apply("remove network " + id, () -> driver.deleteNetwork(id));
        }
        String router = routerOfFloatingIp.remove(id);
        if (router != null) {
            routersToSync.add(router); // a floating IP that is gone
        }
    }

    /** Connects, changes or disconnects a server port; the routers a router port belongs to. */
    private List<String> syncPort(Row port, boolean adopt) {
        JsonNode body = port.body();
        String owner = body.path("device_owner").asText("");
        if (owner.equals(Ports.ROUTER_INTERFACE) || owner.equals(Ports.ROUTER_GATEWAY)) {
            return List.of(body.path("device_id").asText(""));
        }
        JsonNode profile = body.path("binding:profile");
        boolean wanted = profile.hasNonNull(NetworkClient.PROFILE_NETNS) && !body.path("binding:host_id").asText("").isEmpty();
        Plugged before = ports.get(port.id());
        if (!wanted) {
            if (before != null) {
                ports.remove(port.id());
                apply("disconnect port " + port.id(), () -> {
                    driver.unplugPort(port.id());
                    driver.applyPortSecurity(PortSecurity.disabled(port.id(), before.spec().mac()));
                });
            }
            return List.of();
        }
        PortSpec spec = resources.transaction(h -> portSpec(h, port));
        PortSecurity security = resources.transaction(h -> security(h, port));
        Set<String> groups = new HashSet<>();
        body.path("security_groups").forEach(group -> groups.add(group.asText()));
        Plugged now = new Plugged(profile, spec, security, Set.copyOf(groups));
        if (now.equals(before)) {
            return List.of();
        }
        boolean ok = apply("connect port " + port.id(), () -> {
            ensureNetwork(spec.networkId(), spec.mtu());
            if (before == null || !security.equals(before.security())) {
                driver.applyPortSecurity(security);
            }
            if (!adopt && (before == null || !profile.equals(before.profile()) || !spec.equals(before.spec()))) {
                driver.plugPort(spec, java.nio.file.Path.of(profile.path(NetworkClient.PROFILE_NETNS).asText()),
                        profile.path(NetworkClient.PROFILE_DEVICE).asText("eth0"));
            }
        });
        if (ok) {
            ports.put(port.id(), now);
        } else if (!adopt && (before == null || !profile.equals(before.profile()))) {
            failedConnects.add(port.id());
        }
        return List.of();
    }

    private void syncRouter(String routerId) {
        Optional<Row> row = resources.transaction(h -> resources.store().find(h, "router", routerId));
        RouterState before = routers.get(routerId);
        if (row.isEmpty()) {
            if (before != null) {
                routers.remove(routerId);
                apply("remove router " + routerId, () -> driver.deleteRouter(routerId));
            }
            return;
        }
        RouterState wanted = resources.transaction(h -> routerState(h, row.get()));
        if (wanted.equals(before)) {
            return;
        }
        boolean ok = apply("configure router " + routerId, () -> {
            if (before == null) { // new here (or its last change failed): its namespace and base setup
                driver.ensureRouter(routerId);
            }
            RouterState old = before != null ? before : new RouterState(Map.of(), null, false, List.of(), Map.of());
            for (String gone : old.interfaces().keySet()) {
                if (!wanted.interfaces().containsKey(gone)) {
                    driver.removeRouterInterface(routerId, gone);
                }
            }
            for (PortSpec spec : wanted.interfaces().values()) {
                if (!spec.equals(old.interfaces().get(spec.id()))) {
                    ensureNetwork(spec.networkId(), spec.mtu());
                    driver.addRouterInterface(routerId, spec);
                }
            }
            if (wanted.gateway() == null) {
                if (old.gateway() != null) {
                    driver.clearRouterGateway(routerId);
                }
            } else if (!wanted.gateway().equals(old.gateway()) || wanted.snat() != old.snat()) {
                ensureNetwork(wanted.gateway().networkId(), wanted.gateway().mtu());
                driver.setRouterGateway(routerId, wanted.gateway(), wanted.snat());
            }
            if (!wanted.routes().equals(old.routes())) {
                driver.setRoutes(routerId, wanted.routes());
            }
            for (Map.Entry<String, String> gone : old.floatingIps().entrySet()) {
                if (!gone.getValue().equals(wanted.floatingIps().get(gone.getKey()))) {
                    driver.disassociateFloatingIp(routerId, gone.getKey());
                }
            }
            for (Map.Entry<String, String> floating : wanted.floatingIps().entrySet()) {
                if (!floating.getValue().equals(old.floatingIps().get(floating.getKey()))) {
                    driver.associateFloatingIp(routerId, floating.getKey(), floating.getValue());
                }
            }
        });
        if (ok) {
            routers.put(routerId, wanted);
        } else {
            routers.remove(routerId); // applied in part: all of it again next time
        }
    }

    private void ensureNetwork(String networkId, int mtu) throws NetworkDriverException {
        if (networks.add(networkId)) {
            try {
                driver.ensureNetwork(new NetworkSpec(networkId, mtu));
            } catch (NetworkDriverException | RuntimeException e) {
                networks.remove(networkId);
                throw e;
            }
        }
    }

    private RouterState routerState(Handle h, Row router) {
        Map<String, PortSpec> interfaces = new HashMap<>();
        PortSpec gateway = null;
        for (Row port : resources.store().ofDevice(h, "port", router.id())) {
            String owner = port.body().path("device_owner").asText("");
            if (owner.equals(Ports.ROUTER_INTERFACE)) {
                interfaces.put(port.id(), portSpec(h, port));
            } else if (owner.equals(Ports.ROUTER_GATEWAY)) {
                gateway = portSpec(h, port);
            }
        }
        JsonNode info = router.body().path("external_gateway_info");
        boolean snat = info.isObject() && info.path("enable_snat").asBoolean(true);
        List<Route> routes = new ArrayList<>();
        router.body().path("routes").forEach(r -> routes.add(new Route(r.path("destination").asText(), r.path("nexthop").asText())));
        Map<String, String> floatingIps = new HashMap<>();
        for (Row floating : resources.store().all(h, "floatingip")) {
            JsonNode f = floating.body();
            if (router.id().equals(f.path("router_id").asText(null)) && f.hasNonNull("fixed_ip_address") && gateway != null) {
                floatingIps.put(f.path("floating_ip_address").asText(), f.path("fixed_ip_address").asText());
                routerOfFloatingIp.put(floating.id(), router.id());
            }
        }
        return new RouterState(Map.copyOf(interfaces), gateway, snat, List.copyOf(routes), Map.copyOf(floatingIps));
    }

    /** The port as the driver takes it: its MAC, its network's MTU, its addresses with their subnets' prefixes, gateways and routes. */
    private PortSpec portSpec(Handle h, Row port) {
        JsonNode body = port.body();
        String networkId = body.path("network_id").asText();
        int mtu = resources.store().find(h, "network", networkId).map(n -> n.body().path("mtu").asInt(1500)).orElse(1500);
        List<FixedIp> ips = new ArrayList<>();
        List<Route> hostRoutes = new ArrayList<>();
        for (JsonNode ip : body.path("fixed_ips")) {
            Optional<Row> subnet = resources.store().find(h, "subnet", ip.path("subnet_id").asText());
            if (subnet.isEmpty()) {
                continue;
            }
            JsonNode s = subnet.get().body();
            int prefix = Integer.parseInt(s.path("cidr").asText().substring(s.path("cidr").asText().indexOf('/') + 1));
            String gateway = s.hasNonNull("gateway_ip") ? s.path("gateway_ip").asText() : null;
            // A router's own address on the subnet is the gateway, so it has no gateway of its own.
            if (ip.path("ip_address").asText().equals(gateway)) {
                gateway = null;
            }
            ips.add(new FixedIp(ip.path("ip_address").asText(), prefix, gateway));
            s.path("host_routes").forEach(r -> hostRoutes.add(new Route(r.path("destination").asText(), r.path("nexthop").asText())));
        }
        return new PortSpec(port.id(), networkId, body.path("mac_address").asText(), mtu, ips, hostRoutes);
    }

    /**
     * The addresses of each security group's bound ports (what rules with that remote group
     * match), given to the driver where they changed.
     */
    private void syncGroupMembers() {
        Map<String, List<String>> wanted = new HashMap<>();
        for (Row member : resources.transaction(h -> resources.store().all(h, "port"))) {
            if (member.body().path("binding:host_id").asText("").isEmpty()) {
                continue;
            }
            for (JsonNode group : member.body().path("security_groups")) {
                List<String> list = wanted.computeIfAbsent(group.asText(), g -> new ArrayList<>());
                member.body().path("fixed_ips").forEach(ip -> list.add(ip.path("ip_address").asText()));
            }
        }
        Set<String> groups = new LinkedHashSet<>(wanted.keySet());
        groups.addAll(groupMembers.keySet());
        for (String group : groups) {
            List<String> addresses = wanted.getOrDefault(group, List.of()).stream().sorted().toList();
            if (!addresses.equals(groupMembers.get(group))
                    && apply("set the members of security group " + group, () -> driver.setGroupMembers(group, addresses))) {
                groupMembers.put(group, addresses);
            }
        }
    }

    /** What the port may send and receive: its security groups' rules, a remote group as its ports' addresses. */
    private PortSecurity security(Handle h, Row port) {
        JsonNode body = port.body();
        String mac = body.path("mac_address").asText();
        if (!body.path("port_security_enabled").asBoolean(true)) {
            return PortSecurity.disabled(port.id(), mac);
        }
        List<String> fixedIps = new ArrayList<>();
        body.path("fixed_ips").forEach(ip -> fixedIps.add(ip.path("ip_address").asText()));
        List<PortSecurity.AllowedAddressPair> pairs = new ArrayList<>();
        body.path("allowed_address_pairs").forEach(p -> pairs.add(new PortSecurity.AllowedAddressPair(
                p.path("ip_address").asText(), p.hasNonNull("mac_address") ? p.path("mac_address").asText() : null)));
        List<PortSecurity.SecurityRule> rules = new ArrayList<>();
        for (JsonNode group : body.path("security_groups")) {
            for (Row rule : resources.store().children(h, "security_group_rule", group.asText())) {
                rules.add(securityRule(rule.body()));
            }
        }
        return new PortSecurity(port.id(), true, mac, fixedIps, pairs, rules);
    }

    private static PortSecurity.SecurityRule securityRule(JsonNode rule) {
        PortSecurity.EtherType etherType = "IPv6".equals(rule.path("ethertype").asText()) ? PortSecurity.EtherType.IPV6
                : PortSecurity.EtherType.IPV4;
        return new PortSecurity.SecurityRule(
                "egress".equals(rule.path("direction").asText()) ? PortSecurity.Direction.EGRESS : PortSecurity.Direction.INGRESS,
                etherType, rule.hasNonNull("protocol") ? rule.path("protocol").asText() : null,
                rule.hasNonNull("port_range_min") ? rule.path("port_range_min").asInt() : null,
                rule.hasNonNull("port_range_max") ? rule.path("port_range_max").asInt() : null,
                rule.hasNonNull("remote_ip_prefix") ? List.of(rule.path("remote_ip_prefix").asText()) : List.of(),
                rule.hasNonNull("remote_group_id") ? rule.path("remote_group_id").asText() : null);
    }

    @FunctionalInterface
    private interface Change {
        void run() throws NetworkDriverException;
    }

    /** Runs a change of the host; a failure is logged (the next change tries again) and reported as false. */
    private static boolean apply(String what, Change change) {
        try {
            change.run();
            return true;
        } catch (NetworkDriverException | RuntimeException e) {
            LOG.warn("cannot {}: {}", what, e.getMessage());
            return false;
        }
    }
}
