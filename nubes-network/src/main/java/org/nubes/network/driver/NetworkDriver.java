package org.nubes.network.driver;

import java.nio.file.Path;
import java.util.List;

/**
 * Builds tenant networks on this host from plain data; how it does so (namespaces, bridges, rules) stays
 * inside the driver.
 *
 * <p>Every operation is idempotent: doing it again with the same data succeeds and changes nothing the
 * tenant notices, and removing or unplugging something that is not there succeeds. This is also how a
 * restarted process adopts what is already running: it calls the ensure and plug operations again. An
 * operation that fails removes what it had made so far and throws; what existed before stays.
 */
public interface NetworkDriver extends AutoCloseable {

    /** Makes the network's layer-2 segment (or fixes its MTU). */
    void ensureNetwork(NetworkSpec network) throws NetworkDriverException;

    /** Removes the network's segment; its ports should be unplugged first. */
    void deleteNetwork(String networkId) throws NetworkDriverException;

    /**
     * Connects a server to the port's network: a device named {@code deviceName} (eth0, eth1...) appears in
     * the server's network namespace with the port's MAC, MTU and addresses, the default route via the
     * subnet's gateway and the host routes, and the namespace's loopback up. Plugging a port that is plugged
     * replaces its device. Apply the port's security before plugging it, or it is open until then.
     *
     * @param serverNetns the server's network namespace as a file: /run/netns/NAME or /proc/PID/ns/net; never
     *     the machine's own, which is refused
     */
    void plugPort(PortSpec port, Path serverNetns, String deviceName) throws NetworkDriverException;

    /** Disconnects the port's device; its security rules stay until it is applied disabled. */
    void unplugPort(String portId) throws NetworkDriverException;

    /**
     * Replaces, in one step, what the port may send and receive. Works whether or not the port is plugged.
     * With {@code enabled} false the port is not filtered and the driver forgets its rules (what to call
     * when the port is deleted).
     */
    void applyPortSecurity(PortSecurity security) throws NetworkDriverException;

    /**
     * Replaces the addresses of a security group's members, which rules naming the group as their
     * remote group match (none: such rules match nothing).
     */
    void setGroupMembers(String groupId, List<String> addresses) throws NetworkDriverException;

    /** Makes the router (with nothing attached), or keeps it as it is. */
    void ensureRouter(String routerId) throws NetworkDriverException;

    /** Removes the router with its interfaces, gateway, routes and floating IPs. */
    void deleteRouter(String routerId) throws NetworkDriverException;

    /** Attaches the router to the port's network, holding the port's addresses (the subnets' gateways). */
    void addRouterInterface(String routerId, PortSpec port) throws NetworkDriverException;

    void removeRouterInterface(String routerId, String portId) throws NetworkDriverException;

    /**
     * Attaches the router to an external network through the port, replacing any other gateway: the port's
     * first IPv4 fixed IP is the router's external address and its gateway (if any) the router's default
     * route. With {@code enableSnat}, traffic leaving to the external network from addresses without a
     * floating IP is translated to the external address.
     */
    void setRouterGateway(String routerId, PortSpec gatewayPort, boolean enableSnat) throws NetworkDriverException;

    void clearRouterGateway(String routerId) throws NetworkDriverException;

    /** Replaces the router's extra routes. */
    void setRoutes(String routerId, List<Route> routes) throws NetworkDriverException;

    /**
     * Makes {@code floatingIp} on the router's external side reach {@code fixedIp}, and traffic that
     * {@code fixedIp} sends to the external network leave from {@code floatingIp}. Needs the router's
     * gateway. Moves the floating IP if it was associated with another fixed IP.
     */
    void associateFloatingIp(String routerId, String floatingIp, String fixedIp) throws NetworkDriverException;

    void disassociateFloatingIp(String routerId, String floatingIp) throws NetworkDriverException;

    /** Removes everything this driver made on the host: for tests and uninstalling. */
    void destroyAll() throws NetworkDriverException;

    /** Releases the driver; the networks keep running so that a restarted process can adopt them. */
    @Override
    void close();
}
