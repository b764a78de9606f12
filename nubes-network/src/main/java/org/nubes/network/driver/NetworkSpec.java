package org.nubes.network.driver;

/** A network as the driver needs it. */
public record NetworkSpec(String id, int mtu) {
    public NetworkSpec {
        Addresses.requireId("network id", id);
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("bad MTU " + mtu);
        }
    }
}
