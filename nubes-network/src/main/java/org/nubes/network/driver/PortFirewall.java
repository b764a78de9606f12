package org.nubes.network.driver;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import org.nubes.network.driver.PortSecurity.Direction;
import org.nubes.network.driver.PortSecurity.EtherType;
import org.nubes.network.driver.PortSecurity.SecurityRule;

/**
 * The nft scripts that filter ports on the bridges of the host namespace.
 *
 * <p>The kernel has no bridge conntrack, so a stateful filter cannot live in the bridge family. Instead
 * the bridge family marks each frame with the number of the port it comes from (upper 16 bits, set on
 * ingress, where the source is also checked against the port's addresses) and of the port it goes to
 * (lower 16 bits, set on forward, once the bridge knows the output port). Bridged IPv4 and IPv6 then pass
 * the inet forward chain (br_netfilter), which has conntrack: replies are accepted there, and other
 * packets jump by their mark to the sender's egress chain (allowed: return) and then to the receiver's
 * ingress chain (allowed: accept). Unmarked ports (routers, ports without port security) are not
 * filtered. Each port's chains and map elements change in one nft transaction, so a port is never
 * half-filtered. Every network's bridge has a conntrack zone of its own, so that tenants using the same
 * addresses never share a connection (the inet chains see the bridge as the input device).
 */
final class PortFirewall {
    static final String TABLE = "nubes";
    /** Port numbers live in 16 bits of the mark and zones have 16 bits; 0 means "none". */
    static final int MAX_NUMBER = 0xffff;

    private static final String NEIGHBOUR_DISCOVERY_OUT =
            "icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-report, mld2-listener-report }";
    private static final String NEIGHBOUR_DISCOVERY_IN =
            "icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-query }";

    private PortFirewall() {}

    /** The tables, maps and base chains; running it again keeps every port's rules. */
    static String baseScript() {
        return """
                add table bridge %1$s
                add map bridge %1$s port_numbers { type ifname : mark; }
                add map bridge %1$s from_port { type ifname : verdict; }
                add map bridge %1$s to_port { type ifname : verdict; }
                add chain bridge %1$s prerouting { type filter hook prerouting priority -200; policy accept; }
                add chain bridge %1$s forward { type filter hook forward priority -200; policy accept; }
                flush chain bridge %1$s prerouting
                flush chain bridge %1$s forward
                add rule bridge %1$s prerouting meta mark set 0x0
                add rule bridge %1$s prerouting iifname vmap @from_port
                add rule bridge %1$s forward oifname vmap @to_port
                add table inet %1$s
                add map inet %1$s network_zones { typeof iifname : ct zone; }
                add chain inet %1$s zone { type filter hook prerouting priority raw; policy accept; }
                flush chain inet %1$s zone
                add rule inet %1$s zone ct zone set iifname map @network_zones
                add map inet %1$s egress { type mark : verdict; }
                add map inet %1$s ingress { type mark : verdict; }
                add chain inet %1$s forward { type filter hook forward priority 0; policy accept; }
                flush chain inet %1$s forward
                add rule inet %1$s forward ct state established,related accept
                add rule inet %1$s forward meta mark and 0xffff0000 vmap @egress
                add rule inet %1$s forward meta mark and 0x0000ffff vmap @ingress
                """.formatted(TABLE);
    }

    /** Gives the bridge its conntrack zone. */
    static String zoneScript(String bridge, int zone) {
        return "add element inet %s network_zones { \"%s\" : %d }\n".formatted(TABLE, bridge, zone);
    }

    /** Takes the bridge's zone back; succeeds also when it is already gone. */
    static String removeZoneScript(String bridge, int zone) {
        return zoneScript(bridge, zone) + "delete element inet %s network_zones { \"%s\" }\n".formatted(TABLE, bridge);
    }

    /** Replaces the filter of the port on device {@code device}, known by {@code number} in the marks. */
    static String applyScript(String device, int number, PortSecurity security) {
        var script = new Script(device, number);
        script.line("add element bridge %s port_numbers { \"%s\" : %s }", TABLE, device, hex(number));
        script.chain("bridge", "from");
        antiSpoofing(security).forEach(rule -> script.rule("bridge", "from", rule + " drop"));
        script.rule("bridge", "from", "meta mark set meta mark or " + script.fromMark());
        script.chain("bridge", "to");
        script.rule("bridge", "to", "meta mark set meta mark or " + script.toMark());
        script.chain("inet", "egress");
        script.rule("inet", "egress", NEIGHBOUR_DISCOVERY_OUT + " return");
        script.chain("inet", "ingress");
        script.rule("inet", "ingress", NEIGHBOUR_DISCOVERY_IN + " accept");
        for (SecurityRule rule : security.rules()) {
            if (rule.remoteGroup() != null) { // the set exists before a rule refers to it; its members stay
                script.line("%s", declareGroupSet(rule.remoteGroup(), rule.etherType() == EtherType.IPV6));
            }
        }
        for (SecurityRule rule : security.rules()) {
            boolean ingress = rule.direction() == Direction.INGRESS;
            script.rule("inet", ingress ? "ingress" : "egress", match(rule) + (ingress ? " accept" : " return"));
        }
        script.rule("inet", "egress", "drop");
        script.rule("inet", "ingress", "drop");
        script.elements("add");
        return script.toString();
    }

    /** Removes the port's filter; succeeds also when (part of) it is already gone. */
    static String removeScript(String device, int number) {
        var script = new Script(device, number);
        script.line("add element bridge %s port_numbers { \"%s\" : %s }", TABLE, device, hex(number));
        script.line("delete element bridge %s port_numbers { \"%s\" }", TABLE, device);
        for (String chain : List.of("from", "to")) {
            script.line("add chain bridge %s %s", TABLE, script.chainName(chain));
        }
        for (String chain : List.of("egress", "ingress")) {
            script.line("add chain inet %s %s", TABLE, script.chainName(chain));
        }
        // Adding the elements first makes the deletes succeed whether or not they were there.
        script.elements("add");
        script.elements("delete");
        for (String chain : List.of("from", "to")) {
            script.line("flush chain bridge %s %s", TABLE, script.chainName(chain));
            script.line("delete chain bridge %s %s", TABLE, script.chainName(chain));
        }
        for (String chain : List.of("egress", "ingress")) {
            script.line("flush chain inet %s %s", TABLE, script.chainName(chain));
            script.line("delete chain inet %s %s", TABLE, script.chainName(chain));
        }
        return script.toString();
    }

    /**
     * Replaces the addresses of a security group's members, which rules with that remote group
     * match: one set per group and IP version, so that a member coming or going changes one set
     * in one transaction, not the rules of every port that refers to the group.
     */
    static String groupMembersScript(String groupId, List<String> addresses) {
        StringBuilder script = new StringBuilder();
        for (boolean ipv6 : new boolean[] {false, true}) {
            String name = groupSet(groupId, ipv6);
            List<String> members = addresses.stream().filter(a -> Addresses.isIpv6(a) == ipv6).map(Addresses::requirePrefix).toList();
            script.append(declareGroupSet(groupId, ipv6)).append('\n');
            script.append("flush set inet %s %s\n".formatted(TABLE, name));
            if (!members.isEmpty()) {
                script.append("add element inet %s %s %s\n".formatted(TABLE, name, set(members)));
            }
        }
        return script.toString();
    }

    private static String declareGroupSet(String groupId, boolean ipv6) {
        return "add set inet %s %s { type %s; flags interval; }".formatted(TABLE, groupSet(groupId, ipv6),
                ipv6 ? "ipv6_addr" : "ipv4_addr");
    }

    private static String groupSet(String groupId, boolean ipv6) {
        return (ipv6 ? "group6-" : "group4-") + groupId;
    }

    /** The frames the port may not send: other MACs, other source addresses, other protocols than IP and ARP. */
    private static List<String> antiSpoofing(PortSecurity security) {
        Set<String> macs = new LinkedHashSet<>(List.of(security.mac()));
        List<String> ipv4 = new ArrayList<>();
        List<String> ipv6 = new ArrayList<>();
        for (String ip : security.fixedIps()) {
            (Addresses.isIpv6(ip) ? ipv6 : ipv4).add(security.mac() + " . " + Addresses.requirePrefix(ip));
        }
        for (var pair : security.allowedAddressPairs()) {
            String mac = pair.mac() == null ? security.mac() : pair.mac();
            macs.add(mac);
            (Addresses.isIpv6(pair.ipPrefix()) ? ipv6 : ipv4).add(mac + " . " + pair.ipPrefix());
        }
        for (String mac : macs) {
            // Link-local addresses and the unspecified one (duplicate address detection) are the port's too.
            ipv6.add(mac + " . fe80::/10");
            ipv6.add(mac + " . ::/128");
        }
        List<String> rules = new ArrayList<>();
        rules.add("ether type != { ip, arp, ip6 }");
        rules.add("ether saddr != " + set(macs));
        if (ipv4.isEmpty()) {
            rules.add("arp saddr ip != 0.0.0.0");
            rules.add("ether type ip");
        } else {
            // An ARP probe comes from 0.0.0.0 before the address is taken.
            rules.add("arp saddr ip != 0.0.0.0 arp saddr ether . arp saddr ip != " + set(ipv4));
            rules.add("ether saddr . ip saddr != " + set(ipv4));
        }
        rules.add("ether saddr . ip6 saddr != " + set(ipv6));
        return rules;
    }

    /** What a security group rule matches, in the inet family. */
    static String match(SecurityRule rule) {
        boolean ipv6 = rule.etherType() == EtherType.IPV6;
        var match = new StringJoiner(" ");
        match.add("meta nfproto " + (ipv6 ? "ipv6" : "ipv4"));
        String remote = rule.direction() == Direction.INGRESS ? "saddr" : "daddr";
        if (rule.remoteGroup() != null) {
            match.add((ipv6 ? "ip6 " : "ip ") + remote + " @" + groupSet(rule.remoteGroup(), ipv6));
        } else if (!rule.remotePrefixes().isEmpty()) {
            match.add((ipv6 ? "ip6 " : "ip ") + remote + " " + set(rule.remotePrefixes()));
        }
        String protocol = switch (rule.protocol()) {
            case "6" -> "tcp";
            case "17" -> "udp";
            case "132" -> "sctp";
            case "1", "icmp" -> ipv6 ? "icmpv6" : "icmp"; // Neutron takes icmp on IPv6 as ICMPv6
            case "58", "ipv6-icmp" -> "icmpv6";
            default -> rule.protocol();
        };
        Integer min = rule.portRangeMin();
        Integer max = rule.portRangeMax();
        switch (protocol) {
            case "any", "0" -> {}
            case "tcp", "udp", "sctp" -> match.add(min == null
                    ? "meta l4proto " + protocol
                    : protocol + " dport " + (max == null || max.equals(min) ? min : min + "-" + max));
            case "icmp", "icmpv6" -> {
                match.add("meta l4proto " + (protocol.equals("icmp") ? "icmp" : "ipv6-icmp"));
                if (min != null) {
                    match.add(protocol + " type " + min);
                    if (max != null) {
                        match.add(protocol + " code " + max);
                    }
                }
            }
            default -> match.add("meta l4proto " + protocol);
        }
        return match.toString();
    }

    private static String set(Iterable<String> elements) {
        return "{ " + String.join(", ", elements) + " }";
    }

    private static String hex(long value) {
        return "0x%08x".formatted(value);
    }

    /** One port's part of the tables: its chains, its marks and the map elements that lead to them. */
    private static final class Script {
        private final StringBuilder text = new StringBuilder();
        private final String device;
        private final int number;

        Script(String device, int number) {
            if (number < 1 || number > MAX_NUMBER) {
                throw new IllegalArgumentException("port number out of range: " + number);
            }
            this.device = device;
            this.number = number;
        }

        String fromMark() {
            return hex((long) number << 16);
        }

        String toMark() {
            return hex(number);
        }

        String chainName(String kind) {
            return kind + "-" + device;
        }

        void chain(String family, String kind) {
            line("add chain %s %s %s", family, TABLE, chainName(kind));
            line("flush chain %s %s %s", family, TABLE, chainName(kind));
        }

        void rule(String family, String kind, String rule) {
            line("add rule %s %s %s %s", family, TABLE, chainName(kind), rule);
        }

        void elements(String verb) {
            String key = "\"" + device + "\"";
            element(verb, "bridge", "from_port", key, "from");
            element(verb, "bridge", "to_port", key, "to");
            element(verb, "inet", "egress", fromMark(), "egress");
            element(verb, "inet", "ingress", toMark(), "ingress");
        }

        private void element(String verb, String family, String map, String key, String kind) {
            String value = verb.equals("delete") ? "" : " : jump " + chainName(kind);
            line("%s element %s %s %s { %s%s }", verb, family, TABLE, map, key, value);
        }

        void line(String format, Object... args) {
            text.append(format.formatted(args)).append('\n');
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
