package org.nubes.network.driver;

/** A route to a prefix through a next hop (a subnet's host route or a router's extra route). */
public record Route(String destination, String nexthop) {
    public Route {
        destination = Addresses.requirePrefix(destination);
        Addresses.requireIp(nexthop);
        if (Addresses.isIpv6(destination) != Addresses.isIpv6(nexthop)) {
            throw new IllegalArgumentException("next hop " + nexthop + " is not of the family of " + destination);
        }
    }
}
