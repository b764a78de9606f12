package org.nubes.network.driver;

/**
 * One address of a port with its subnet's prefix length.
 *
 * @param gateway the subnet's gateway, or null when the subnet has none
 */
public record FixedIp(String address, int prefixLength, String gateway) {
    public FixedIp {
        Addresses.requireIp(address);
        Addresses.requirePrefixLength(address, prefixLength);
        if (gateway != null && Addresses.isIpv6(gateway) != Addresses.isIpv6(address)) {
            throw new IllegalArgumentException("gateway " + gateway + " is not of the family of " + address);
        }
        if (gateway != null) {
            Addresses.requireIp(gateway);
        }
    }

    public FixedIp(String address, int prefixLength) {
        this(address, prefixLength, null);
    }

    /** The address with its prefix length, as ip wants it ("10.0.0.5/24"). */
    public String cidr() {
        return address + "/" + prefixLength;
    }

    public boolean ipv6() {
        return Addresses.isIpv6(address);
    }
}
