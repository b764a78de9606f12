package org.nubes.network.driver;

import java.util.List;

/**
 * A port as the driver needs it to wire it: for a server, a router's interface or a router's gateway.
 *
 * @param fixedIps the port's addresses; the first IPv4 (and first IPv6) one with a gateway gives the default
 *     route of a server
 * @param hostRoutes the subnets' host routes, given to servers only
 */
public record PortSpec(String id, String networkId, String mac, int mtu, List<FixedIp> fixedIps, List<Route> hostRoutes) {
    public PortSpec {
        Addresses.requireId("port id", id);
        Addresses.requireId("network id", networkId);
        mac = Addresses.requireMac(mac);
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("bad MTU " + mtu);
        }
        fixedIps = List.copyOf(fixedIps);
        hostRoutes = List.copyOf(hostRoutes);
    }

    public PortSpec(String id, String networkId, String mac, int mtu, List<FixedIp> fixedIps) {
        this(id, networkId, mac, mtu, fixedIps, List.of());
    }
}
