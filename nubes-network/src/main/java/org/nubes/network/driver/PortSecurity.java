package org.nubes.network.driver;

import java.util.List;
import java.util.Locale;

/**
 * What a port may send and receive, with Neutron's meaning: with port security enabled, the port may only
 * send from its MAC and fixed IPs (and its allowed address pairs), and only the traffic its security group
 * rules allow passes, in either direction; replies to allowed traffic always pass (the filter is stateful).
 * There is no implicit allow: a port whose groups have no egress rule cannot open connections (Neutron's
 * default group has the two "egress, any" rules). IPv6 neighbour discovery always passes.
 *
 * @param fixedIps the port's fixed IP addresses (without prefix length)
 */
public record PortSecurity(String portId, boolean enabled, String mac, List<String> fixedIps,
        List<AllowedAddressPair> allowedAddressPairs, List<SecurityRule> rules) {
    public PortSecurity {
        Addresses.requireId("port id", portId);
        mac = Addresses.requireMac(mac);
        fixedIps = fixedIps.stream().map(Addresses::requireIp).toList();
        allowedAddressPairs = List.copyOf(allowedAddressPairs);
        rules = List.copyOf(rules);
    }

    /** No filtering at all: port_security_enabled false, or the port is gone and its rules should be too. */
    public static PortSecurity disabled(String portId, String mac) {
        return new PortSecurity(portId, false, mac, List.of(), List.of(), List.of());
    }

    /**
     * Another address the port may send from.
     *
     * @param ipPrefix an address or a prefix ("10.0.0.0/24")
     * @param mac the MAC it is sent from, or null for the port's own
     */
    public record AllowedAddressPair(String ipPrefix, String mac) {
        public AllowedAddressPair {
            ipPrefix = Addresses.requirePrefix(ipPrefix);
            mac = mac == null ? null : Addresses.requireMac(mac);
        }
    }

    public enum Direction { INGRESS, EGRESS }

    public enum EtherType { IPV4, IPV6 }

    /**
     * One security group rule.
     *
     * @param protocol Neutron's value: null or "any", a name ("tcp", "udp", "icmp", "icmpv6", "ipv6-icmp",
     *     "sctp"...) or an IP protocol number
     * @param portRangeMin the first port, or the ICMP type; null for any
     * @param portRangeMax the last port, or the ICMP code; null for any
     * @param remotePrefixes where the traffic comes from (ingress) or goes to (egress); empty (and no
     *     remote group) means anywhere
     * @param remoteGroup the security group whose members' addresses the traffic comes from or goes to
     *     (kept by {@link NetworkDriver#setGroupMembers}), or null
     */
    public record SecurityRule(Direction direction, EtherType etherType, String protocol, Integer portRangeMin,
            Integer portRangeMax, List<String> remotePrefixes, String remoteGroup) {
        public SecurityRule {
            if (remoteGroup != null) {
                Addresses.requireId("security group id", remoteGroup);
                if (!remotePrefixes.isEmpty()) {
                    throw new IllegalArgumentException("a rule has remote prefixes or a remote group, not both");
                }
            }
            if (direction == null || etherType == null) {
                throw new IllegalArgumentException("a security group rule needs a direction and an ethertype");
            }
            protocol = protocol == null || protocol.isBlank() ? "any" : protocol.toLowerCase(Locale.ROOT);
            if (!protocol.matches("[a-z0-9-]{1,20}")) {
                throw new IllegalArgumentException("bad protocol: " + protocol);
            }
            for (Integer number : new Integer[] {portRangeMin, portRangeMax}) {
                if (number != null && (number < 0 || number > 65535)) {
                    throw new IllegalArgumentException("bad port or ICMP number: " + number);
                }
            }
            remotePrefixes = remotePrefixes.stream().map(Addresses::requirePrefix).toList();
            for (String prefix : remotePrefixes) {
                if (Addresses.isIpv6(prefix) != (etherType == EtherType.IPV6)) {
                    throw new IllegalArgumentException("remote prefix " + prefix + " is not " + etherType);
                }
            }
        }

        /** A rule for any address. */
        public SecurityRule(Direction direction, EtherType etherType, String protocol, Integer portRangeMin,
                Integer portRangeMax) {
            this(direction, etherType, protocol, portRangeMin, portRangeMax, List.of(), null);
        }

        /** A rule for these prefixes (anywhere when empty). */
        public SecurityRule(Direction direction, EtherType etherType, String protocol, Integer portRangeMin,
                Integer portRangeMax, List<String> remotePrefixes) {
            this(direction, etherType, protocol, portRangeMin, portRangeMax, remotePrefixes, null);
        }
    }
}
