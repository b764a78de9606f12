package org.nubes.network.driver;

/**
 * A network as the driver needs it.
 *
 * @param external whether routers attach their gateways to it (floating IPs come from it); the driver gives
 *     it no uplink to the machine's own network
 */
public record NetworkSpec(String id, int mtu, boolean external) {
    public NetworkSpec {
        Addresses.requireId("network id", id);
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("bad MTU " + mtu);
        }
    }
}
