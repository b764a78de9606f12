package org.nubes.network.driver;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The nft scripts of a router's namespace: floating IPs as two maps (DNAT of the floating IP to the fixed
 * IP, SNAT of the fixed IP to the floating IP), and the gateway's SNAT in a chain of its own. Only traffic
 * leaving through the gateway device ({@code qg-...}) is source-translated; between the router's own
 * networks addresses stay as they are.
 */
final class RouterNat {
    private static final String TABLE = PortFirewall.TABLE;

    private RouterNat() {}

    /** The table, maps and base chains; running it again keeps the floating IPs and the gateway's SNAT. */
    static String baseScript() {
        return """
                add table ip %1$s
                add map ip %1$s floating_to_fixed { type ipv4_addr : ipv4_addr; }
                add map ip %1$s fixed_to_floating { type ipv4_addr : ipv4_addr; }
                add chain ip %1$s prerouting { type nat hook prerouting priority dstnat; policy accept; }
                add chain ip %1$s postrouting { type nat hook postrouting priority srcnat; policy accept; }
                add chain ip %1$s gateway_snat
                flush chain ip %1$s prerouting
                flush chain ip %1$s postrouting
                add rule ip %1$s prerouting dnat to ip daddr map @floating_to_fixed
                add rule ip %1$s postrouting oifname != "qg-*" accept
                add rule ip %1$s postrouting snat to ip saddr map @fixed_to_floating
                add rule ip %1$s postrouting jump gateway_snat
                """.formatted(TABLE);
    }

    /** The gateway's SNAT to {@code address} through {@code device}, or none when address is null. */
    static String gatewayScript(String device, String address) {
        String flush = "flush chain ip %s gateway_snat\n".formatted(TABLE);
        return address == null ? flush
                : flush + "add rule ip %s gateway_snat oifname \"%s\" snat to %s\n".formatted(TABLE, device, address);
    }

    static String floatingIpScript(String floatingIp, String fixedIp) {
        return """
                add element ip %1$s floating_to_fixed { %2$s : %3$s }
                add element ip %1$s fixed_to_floating { %3$s : %2$s }
                """.formatted(TABLE, floatingIp, fixedIp);
    }

    /**
     * Appends the deletes that free {@code floatingIp} and {@code fixedIp} (may be null) of any association,
     * given the maps as they are: a fixed IP has at most one floating IP, and the other way round.
     */
    static void forget(StringBuilder script, Map<String, String> floatingToFixed, String floatingIp,
            Map<String, String> fixedToFloating, String fixedIp) {
        Set<String> floatingIps = new LinkedHashSet<>();
        Set<String> fixedIps = new LinkedHashSet<>();
        floatingIps.add(floatingIp);
        fixedIps.add(floatingToFixed.get(floatingIp));
        fixedIps.add(fixedIp);
        floatingIps.add(fixedToFloating.get(fixedIp));
        for (String ip : floatingIps) {
            if (ip != null && floatingToFixed.containsKey(ip)) {
                script.append("delete element ip %s floating_to_fixed { %s }\n".formatted(TABLE, ip));
            }
        }
        for (String ip : fixedIps) {
            if (ip != null && fixedToFloating.containsKey(ip)) {
                script.append("delete element ip %s fixed_to_floating { %s }\n".formatted(TABLE, ip));
            }
        }
    }
}
