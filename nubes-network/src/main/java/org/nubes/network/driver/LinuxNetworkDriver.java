package org.nubes.network.driver;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nubes.core.host.Host;

/**
 * Tenant networks from Linux network namespaces, bridges, veth pairs and nftables.
 *
 * <p>All bridges live in one namespace owned by the driver ({@code PREFIX-host}), one per network; each
 * port is a veth pair whose host side is a bridge port and whose other side sits in the server's namespace;
 * each router is a namespace of its own ({@code PREFIX-router-ID}), joined to the networks' bridges by veth
 * pairs. Nothing is ever made in the machine's own network namespace: every ip, nft and sysctl command
 * names the namespace it works in. Device names come from the ids as in Neutron (15 characters at most):
 * {@code brq}, {@code tap}, {@code qr-} and {@code qg-} followed by the first 11 characters of the id, so
 * that a restarted process finds what it made by name.
 *
 * <p>Operations that read a router's state before changing it run one at a time; the rest run in parallel.
 */
public final class LinuxNetworkDriver implements NetworkDriver {
    private static final Path NETNS_DIR = Path.of("/run/netns");
    private static final int SHORT_ID = 11;
    private static final Pattern MAP_ELEMENTS = Pattern.compile("elements = \\{([^}]*)}");

    private final String hostNamespace;
    private final String routerNamespacePrefix;
    private volatile boolean hostReady;
    private final Numbering portNumbers;
    private final Numbering networkZones;

    /**
     * @param namespacePrefix starts the name of every namespace the driver makes ("nubes" in production);
     *     two drivers with different prefixes never see each other's networks
     */
    public LinuxNetworkDriver(String namespacePrefix) {
        Addresses.requireId("namespace prefix", namespacePrefix);
        this.hostNamespace = namespacePrefix + "-host";
        this.routerNamespacePrefix = namespacePrefix + "-router-";
        this.portNumbers = new Numbering("filtered ports", PortFirewall.MAX_NUMBER, () -> hostNumbers("bridge", "port_numbers"));
        this.networkZones = new Numbering("networks", PortFirewall.MAX_NUMBER, () -> hostNumbers("inet", "network_zones"));
    }

    /**
     * Why this driver cannot run here, in one line, or empty: it needs Linux, root (namespaces,
     * bridges and nftables), and ip (iproute2), nft (nftables) and nsenter.
     */
    public static java.util.Optional<String> unavailableReason() {
        if (!Host.isRoot()) {
            return java.util.Optional.of("tenant networks need root (namespaces, bridges, nftables)");
        }
        return Host.missing("ip", "nft", "nsenter");
    }

    /** The namespace that holds the bridges. */
    public String hostNamespace() {
        return hostNamespace;
    }

    /** The namespace that is the router. */
    public String routerNamespace(String routerId) {
        return routerNamespacePrefix + Addresses.requireId("router id", routerId);
    }

    static String bridgeDevice(String networkId) {
        return "brq" + shortId(networkId);
    }

    static String portDevice(String portId) {
        return "tap" + shortId(portId);
    }

    static String routerInterfaceDevice(String portId) {
        return "qr-" + shortId(portId);
    }

    static String gatewayDevice(String portId) {
        return "qg-" + shortId(portId);
    }

    private static String shortId(String id) {
        return id.substring(0, Math.min(SHORT_ID, id.length()));
    }

    @Override
    public void ensureNetwork(NetworkSpec network) throws NetworkDriverException {
        ensureHost();
        String bridge = bridgeDevice(network.id());
        boolean zoned = networkZones.find(bridge) != null;
        int zone = networkZones.assign(bridge);
        String setUp = "link set %s mtu %d up\n".formatted(bridge, network.mtu());
        try {
            nft(hostNamespace, PortFirewall.zoneScript(bridge, zone));
            Command.Result created = ip(hostNamespace, "link add %s mtu %d type bridge\n".formatted(bridge, network.mtu()) + setUp);
            if (created.exists()) {
                ip(hostNamespace, setUp).orThrow();
            } else if (!created.ok()) {
                deleteLink(hostNamespace, bridge);
                created.orThrow();
            }
        } catch (NetworkDriverException | RuntimeException e) {
            if (!zoned) {
                nft(hostNamespace, PortFirewall.removeZoneScript(bridge, zone));
                networkZones.forget(bridge);
            }
            throw e;
        }
    }

    @Override
    public void deleteNetwork(String networkId) throws NetworkDriverException {
        if (!namespaceExists(hostNamespace)) {
            return;
        }
        String bridge = bridgeDevice(networkId);
        deleteLink(hostNamespace, bridge);
        Integer zone = networkZones.find(bridge);
        if (zone != null) {
            nft(hostNamespace, PortFirewall.removeZoneScript(bridge, zone));
            networkZones.forget(bridge);
        }
    }

    @Override
    public void plugPort(PortSpec port, Path serverNetns, String deviceName) throws NetworkDriverException {
        Path netns = requireServerNamespace(Addresses.requireNamespaceFile(serverNetns));
        String device = Addresses.requireDevice(deviceName);
        ensureHost();
        List<String> routes = defaultRoutes(port, device);
        for (Route route : port.hostRoutes()) {
            routes.add("route replace %s via %s dev %s".formatted(route.destination(), route.nexthop(), device));
        }
        connect(portDevice(port.id()), port, netns, device, routes, true);
    }

    /**
     * Refuses the machine's own network namespace (this process's, or init's) as a server's: a
     * tenant's device would land on the host itself. Every file of one namespace has the same
     * device and inode, whatever its path.
     */
    private static Path requireServerNamespace(Path netns) throws NetworkDriverException {
        List<Object> given;
        try {
            given = namespaceIdentity(netns);
        } catch (IOException e) {
            throw new NetworkDriverException("cannot read the network namespace " + netns + ": " + e, e);
        }
        for (String own : List.of("/proc/self/ns/net", "/proc/1/ns/net")) {
            try {
                if (given.equals(namespaceIdentity(Path.of(own)))) {
                    throw new IllegalArgumentException("refusing to plug a port into " + netns
                            + ": it is the host's own network namespace, not a server's");
                }
            } catch (AccessDeniedException e) {
                // Init's namespace is closed to this process (in a container): nor can the commands enter it.
            } catch (IOException e) {
                throw new NetworkDriverException("cannot read " + own + ": " + e, e);
            }
        }
        return netns;
    }

    private static List<Object> namespaceIdentity(Path file) throws IOException {
        return List.of(Files.getAttribute(file, "unix:dev"), Files.getAttribute(file, "unix:ino"));
    }

    @Override
    public void unplugPort(String portId) throws NetworkDriverException {
        if (namespaceExists(hostNamespace)) {
            deleteLink(hostNamespace, portDevice(portId));
        }
    }

    @Override
    public void applyPortSecurity(PortSecurity security) throws NetworkDriverException {
        ensureHost();
        String device = portDevice(security.portId());
        Integer number = portNumbers.find(device);
        if (!security.enabled()) {
            if (number != null) {
                nft(hostNamespace, PortFirewall.removeScript(device, number));
                portNumbers.forget(device);
            }
            return;
        }
        int assigned = portNumbers.assign(device);
        try {
            nft(hostNamespace, PortFirewall.applyScript(device, assigned, security));
        } catch (NetworkDriverException | RuntimeException e) {
            if (number == null) {
                portNumbers.forget(device);
            }
            throw e;
        }
    }

    @Override
    public void setGroupMembers(String groupId, List<String> addresses) throws NetworkDriverException {
        ensureHost();
        nft(hostNamespace, PortFirewall.groupMembersScript(Addresses.requireId("security group id", groupId), addresses));
    }

    /** The numbers kept in one of the host namespace's nft maps. */
    private Map<String, Integer> hostNumbers(String family, String map) throws NetworkDriverException {
        Map<String, Integer> numbers = new HashMap<>();
        mapElements(hostNamespace, family, map).forEach((name, number) -> numbers.put(name, Integer.decode(number)));
        return numbers;
    }

    @Override
    public void ensureRouter(String routerId) throws NetworkDriverException {
        String namespace = routerNamespace(routerId);
        ensureNamespace(namespace, () -> {
            ip(namespace, "link set lo up\n").orThrow();
            // With duplicate address detection on its link-local addresses the router forwarded no IPv6
            // for ~2 s after an interface was added (measured); its addresses are unique anyway.
            sysctl(namespace, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
                    "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
            nft(namespace, RouterNat.baseScript());
        });
    }

    @Override
    public void deleteRouter(String routerId) throws NetworkDriverException {
        deleteNamespace(routerNamespace(routerId));
    }

    @Override
    public void addRouterInterface(String routerId, PortSpec port) throws NetworkDriverException {
        ensureHost();
        String device = routerInterfaceDevice(port.id());
        connect(device, port, existingRouter(routerId), device, List.of(), false);
    }

    @Override
    public void removeRouterInterface(String routerId, String portId) throws NetworkDriverException {
        String namespace = routerNamespace(routerId);
        if (namespaceExists(namespace)) {
            deleteLink(namespace, routerInterfaceDevice(portId));
        }
    }

    @Override
    public synchronized void setRouterGateway(String routerId, PortSpec gatewayPort, boolean enableSnat) throws NetworkDriverException {
        ensureHost();
        Path router = existingRouter(routerId);
        String namespace = routerNamespace(routerId);
        FixedIp external = gatewayPort.fixedIps().stream().filter(ip -> !ip.ipv6()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the gateway port has no IPv4 address"));
        String device = gatewayDevice(gatewayPort.id());
        for (String other : devices(namespace, "qg-")) {
            if (!other.equals(device)) {
                deleteLink(namespace, other);
            }
        }
        connect(device, gatewayPort, router, device, defaultRoutes(gatewayPort, device), false);
        StringBuilder floatingIps = new StringBuilder();
        for (String floatingIp : mapElements(namespace, "ip", "floating_to_fixed").keySet()) {
            floatingIps.append("addr replace %s/32 dev %s\n".formatted(floatingIp, device));
        }
        if (!floatingIps.isEmpty()) {
            ip(namespace, floatingIps.toString()).orThrow();
        }
        nft(namespace, RouterNat.gatewayScript(device, enableSnat ? external.address() : null));
    }

    @Override
    public synchronized void clearRouterGateway(String routerId) throws NetworkDriverException {
        String namespace = routerNamespace(routerId);
        if (!namespaceExists(namespace)) {
            return;
        }
        nft(namespace, RouterNat.gatewayScript(null, null));
        for (String device : devices(namespace, "qg-")) {
            deleteLink(namespace, device);
        }
    }

    @Override
    public synchronized void setRoutes(String routerId, List<Route> routes) throws NetworkDriverException {
        String namespace = routerNamespace(routerId);
        existingRouter(routerId);
        // Extra routes carry protocol "static", which nothing else here uses, so they can be replaced as a set.
        StringBuilder script = new StringBuilder("route flush root 0.0.0.0/0 proto static\nroute flush root ::/0 proto static\n");
        for (Route route : routes) {
            script.append("route replace %s via %s proto static\n".formatted(route.destination(), route.nexthop()));
        }
        ip(namespace, script.toString()).orThrow();
    }

    @Override
    public synchronized void associateFloatingIp(String routerId, String floatingIp, String fixedIp) throws NetworkDriverException {
        requireIpv4(floatingIp);
        requireIpv4(fixedIp);
        String namespace = routerNamespace(routerId);
        existingRouter(routerId);
        String gateway = devices(namespace, "qg-").stream().findFirst()
                .orElseThrow(() -> new NetworkDriverException("router " + routerId + " has no gateway"));
        StringBuilder script = new StringBuilder();
        RouterNat.forget(script, mapElements(namespace, "ip", "floating_to_fixed"), floatingIp,
                mapElements(namespace, "ip", "fixed_to_floating"), fixedIp);
        script.append(RouterNat.floatingIpScript(floatingIp, fixedIp));
        nft(namespace, script.toString());
        ip(namespace, "addr replace %s/32 dev %s\n".formatted(floatingIp, gateway)).orThrow();
    }

    @Override
    public synchronized void disassociateFloatingIp(String routerId, String floatingIp) throws NetworkDriverException {
        requireIpv4(floatingIp);
        String namespace = routerNamespace(routerId);
        if (!namespaceExists(namespace)) {
            return;
        }
        Map<String, String> floatingToFixed = mapElements(namespace, "ip", "floating_to_fixed");
        StringBuilder script = new StringBuilder();
        RouterNat.forget(script, floatingToFixed, floatingIp, mapElements(namespace, "ip", "fixed_to_floating"),
                floatingToFixed.get(floatingIp));
        if (!script.isEmpty()) {
            nft(namespace, script.toString());
        }
        for (String device : devices(namespace, "qg-")) {
            Command.Result removed = ip(namespace, "addr del %s/32 dev %s\n".formatted(floatingIp, device));
            if (!removed.ok() && !removed.missing()) {
                removed.orThrow();
            }
        }
    }

    @Override
    public void destroyAll() throws NetworkDriverException {
        for (String namespace : namespaces()) {
            if (namespace.equals(hostNamespace) || namespace.startsWith(routerNamespacePrefix)) {
                deleteNamespace(namespace);
            }
        }
        hostReady = false;
        portNumbers.reset();
        networkZones.reset();
        releaseNetnsMount();
    }

    @Override
    public void close() {
        // Nothing to release: the networks keep running for the next process to adopt.
    }

    /**
     * Undoes the bind mount of /run/netns that {@code ip netns add} leaves, once no namespace is left in
     * it. A namespace that someone else adds meanwhile keeps the mount busy, so the unmount then fails
     * harmlessly.
     */
    public static void releaseNetnsMount() throws NetworkDriverException {
        if (Files.isDirectory(NETNS_DIR) && namespaces().isEmpty()) {
            Command.run(List.of("umount", NETNS_DIR.toString()), null);
        }
    }

    /** The named network namespaces of the machine. */
    public static List<String> namespaces() throws NetworkDriverException {
        if (!Files.isDirectory(NETNS_DIR)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(NETNS_DIR)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new NetworkDriverException("cannot list " + NETNS_DIR + ": " + e.getMessage(), e);
        }
    }

    private void ensureHost() throws NetworkDriverException {
        if (hostReady) {
            return;
        }
        synchronized (this) {
            if (hostReady) {
                return;
            }
            ensureNamespace(hostNamespace, () -> {
                // The bridges need no addresses; without IPv6 they also send nothing into tenant networks.
                sysctl(hostNamespace, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
                        "net.bridge.bridge-nf-call-iptables=1", "net.bridge.bridge-nf-call-ip6tables=1");
                nft(hostNamespace, PortFirewall.baseScript());
            });
            hostReady = true;
        }
    }

    /**
     * Makes a veth pair: {@code hostDevice} on the port's bridge, {@code peerDevice} in {@code peerNetns}
     * with the port's MAC, MTU and addresses and the given routes. A pair that exists is replaced when
     * {@code replace} is set (its peer may be in another namespace), else configured again where it is.
     */
    private void connect(String hostDevice, PortSpec port, Path peerNetns, String peerDevice, List<String> routes,
            boolean replace) throws NetworkDriverException {
        String bridge = bridgeDevice(port.networkId());
        String create = """
                link add %1$s mtu %3$d type veth peer name %4$s address %5$s mtu %3$d netns %6$s
                link set %1$s master %2$s up
                """.formatted(hostDevice, bridge, port.mtu(), peerDevice, port.mac(), peerNetns);
        Command.Result created = ip(hostNamespace, create);
        boolean kept = created.exists() && !replace;
        if (created.exists() && replace) {
            deleteLink(hostNamespace, hostDevice);
            created = ip(hostNamespace, create);
        }
        if (!created.ok() && !kept) {
            deleteLink(hostNamespace, hostDevice);
            throw new NetworkDriverException("cannot plug port " + port.id() + " into network " + port.networkId()
                    + ": " + created.stderr().strip());
        }
        StringBuilder config = new StringBuilder("link set lo up\nlink set %s up\n".formatted(peerDevice));
        for (FixedIp ip : port.fixedIps()) {
            // Duplicate address detection would hold the address back for a second; the IPAM already made it unique.
            config.append("addr replace %s dev %s%s\n".formatted(ip.cidr(), peerDevice, ip.ipv6() ? " nodad" : ""));
        }
        routes.forEach(route -> config.append(route).append('\n'));
        Command.Result configured = Command.run(List.of("nsenter", "--net=" + peerNetns, "ip", "-batch", "-"),
                config.toString());
        if (!configured.ok()) {
            deleteLink(hostNamespace, hostDevice);
            configured.orThrow();
        }
    }

    /** The routes via the gateways of the port's first IPv4 and first IPv6 subnets that have one. */
    private static List<String> defaultRoutes(PortSpec port, String device) {
        List<String> routes = new ArrayList<>();
        port.fixedIps().stream().filter(ip -> !ip.ipv6() && ip.gateway() != null).findFirst()
                .ifPresent(ip -> routes.add("route replace default via %s dev %s".formatted(ip.gateway(), device)));
        port.fixedIps().stream().filter(ip -> ip.ipv6() && ip.gateway() != null).findFirst()
                .ifPresent(ip -> routes.add("route replace ::/0 via %s dev %s".formatted(ip.gateway(), device)));
        return routes;
    }

    private Path existingRouter(String routerId) throws NetworkDriverException {
        String namespace = routerNamespace(routerId);
        if (!namespaceExists(namespace)) {
            throw new NetworkDriverException("router " + routerId + " is not on this host");
        }
        return NETNS_DIR.resolve(namespace);
    }

    /** The namespace's devices whose names start with {@code prefix}. */
    private static List<String> devices(String namespace, String prefix) throws NetworkDriverException {
        List<String> devices = new ArrayList<>();
        for (String line : Command.check(List.of("ip", "-n", namespace, "-o", "link", "show"), null).split("\n")) {
            String[] fields = line.split(": ", 3);
            if (fields.length > 1) {
                String name = fields[1].split("@", 2)[0];
                if (name.startsWith(prefix)) {
                    devices.add(name);
                }
            }
        }
        return devices;
    }

    /** The elements of a named nft map, as text (quotes removed). */
    private static Map<String, String> mapElements(String namespace, String family, String map)
            throws NetworkDriverException {
        String listing = Command.check(List.of("ip", "netns", "exec", namespace, "nft", "list", "map", family,
                PortFirewall.TABLE, map), null);
        Map<String, String> elements = new LinkedHashMap<>();
        Matcher matcher = MAP_ELEMENTS.matcher(listing);
        if (matcher.find()) {
            for (String element : matcher.group(1).split(",")) {
                String[] keyValue = element.split(" : ", 2);
                if (keyValue.length == 2) {
                    elements.put(keyValue[0].strip().replace("\"", ""), keyValue[1].strip());
                }
            }
        }
        return elements;
    }

    private static void requireIpv4(String ip) {
        if (Addresses.isIpv6(Addresses.requireIp(ip))) {
            throw new IllegalArgumentException("floating IPs are IPv4 only: " + ip);
        }
    }

    private static boolean namespaceExists(String namespace) {
        return Files.exists(NETNS_DIR.resolve(namespace));
    }

    /** Configuring a namespace: commands run in it. */
    private interface Configuration {
        void run() throws NetworkDriverException;
    }

    /**
     * Adds the namespace unless it is there, then configures it (again); a namespace added here is removed
     * when configuring it fails.
     */
    private static void ensureNamespace(String namespace, Configuration configuration) throws NetworkDriverException {
        boolean added = false;
        if (!namespaceExists(namespace)) {
            Command.Result result = Command.run(List.of("ip", "netns", "add", namespace), null);
            if (!result.exists()) {
                result.orThrow();
                added = true;
            }
        }
        try {
            configuration.run();
        } catch (NetworkDriverException | RuntimeException e) {
            if (added) {
                deleteNamespace(namespace);
            }
            throw e;
        }
    }

    private static void deleteNamespace(String namespace) throws NetworkDriverException {
        if (namespaceExists(namespace)) {
            Command.Result deleted = Command.run(List.of("ip", "netns", "del", namespace), null);
            if (!deleted.ok() && !deleted.missing()) {
                deleted.orThrow();
            }
        }
    }

    private static void deleteLink(String namespace, String device) throws NetworkDriverException {
        Command.Result deleted = ip(namespace, "link del %s\n".formatted(device));
        if (!deleted.ok() && !deleted.missing()) {
            deleted.orThrow();
        }
    }

    private static Command.Result ip(String namespace, String batch) throws NetworkDriverException {
        return Command.run(List.of("ip", "-n", namespace, "-batch", "-"), batch);
    }

    private static void nft(String namespace, String script) throws NetworkDriverException {
        Command.check(List.of("ip", "netns", "exec", namespace, "nft", "-f", "-"), script);
    }

    private static void sysctl(String namespace, String... settings) throws NetworkDriverException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "sysctl", "-q", "-w"));
        command.addAll(List.of(settings));
        Command.check(command, null);
    }
}
