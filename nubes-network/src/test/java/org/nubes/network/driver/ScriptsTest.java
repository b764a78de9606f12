package org.nubes.network.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.nubes.network.driver.PortSecurity.AllowedAddressPair;
import org.nubes.network.driver.PortSecurity.Direction;
import org.nubes.network.driver.PortSecurity.EtherType;
import org.nubes.network.driver.PortSecurity.SecurityRule;

/** What goes into the ip and nft scripts, checked without root. */
class ScriptsTest {
    private static final String MAC = "fa:16:3e:00:00:01";

    @Test
    void securityGroupRulesBecomeNftMatches() {
        assertThat(PortFirewall.match(new SecurityRule(Direction.INGRESS, EtherType.IPV4, "tcp", 22, 22, List.of("10.0.0.0/8"))))
                .isEqualTo("meta nfproto ipv4 ip saddr { 10.0.0.0/8 } tcp dport 22");
        assertThat(PortFirewall.match(new SecurityRule(Direction.EGRESS, EtherType.IPV6, "6", 80, 90, List.of("fd00::/8"))))
                .isEqualTo("meta nfproto ipv6 ip6 daddr { fd00::/8 } tcp dport 80-90");
        assertThat(PortFirewall.match(new SecurityRule(Direction.INGRESS, EtherType.IPV6, "icmp", 128, null)))
                .isEqualTo("meta nfproto ipv6 meta l4proto ipv6-icmp icmpv6 type 128");
        assertThat(PortFirewall.match(new SecurityRule(Direction.INGRESS, EtherType.IPV4, "icmp", 3, 4)))
                .isEqualTo("meta nfproto ipv4 meta l4proto icmp icmp type 3 icmp code 4");
        assertThat(PortFirewall.match(new SecurityRule(Direction.INGRESS, EtherType.IPV4, "udp", null, null)))
                .isEqualTo("meta nfproto ipv4 meta l4proto udp");
        assertThat(PortFirewall.match(new SecurityRule(Direction.INGRESS, EtherType.IPV4, "47", null, null)))
                .isEqualTo("meta nfproto ipv4 meta l4proto 47");
        assertThat(PortFirewall.match(new SecurityRule(Direction.EGRESS, EtherType.IPV4, null, null, null)))
                .isEqualTo("meta nfproto ipv4");
    }

    @Test
    void aPortMaySendFromItsAddressesAndPairsOnly() {
        var security = new PortSecurity("0f6a2b9c-1111-2222-3333-444455556666", true, MAC, List.of("10.0.0.5"),
                List.of(new AllowedAddressPair("10.0.1.0/24", "fa:16:3e:00:00:02")), List.of());
        String script = PortFirewall.applyScript("tap0f6a2b9c-11", 7, security);
        assertThat(script)
                .contains("ether saddr != { fa:16:3e:00:00:01, fa:16:3e:00:00:02 } drop")
                .contains("ether saddr . ip saddr != { fa:16:3e:00:00:01 . 10.0.0.5/32, fa:16:3e:00:00:02 . 10.0.1.0/24 } drop")
                .contains("meta mark set meta mark or 0x00070000")
                .contains("meta mark set meta mark or 0x00000007")
                .endsWith("add element inet nubes ingress { 0x00000007 : jump ingress-tap0f6a2b9c-11 }\n");
    }

    @Test
    void aFloatingIpMovesOffItsOldFixedIp() {
        var script = new StringBuilder();
        RouterNat.forget(script, Map.of("203.0.113.20", "10.0.0.5"), "203.0.113.20", Map.of("10.0.0.5", "203.0.113.20"),
                "10.0.0.6");
        assertThat(script.toString()).isEqualTo("""
                delete element ip nubes floating_to_fixed { 203.0.113.20 }
                delete element ip nubes fixed_to_floating { 10.0.0.5 }
                """);
    }

    @Test
    void valuesThatCouldInjectCommandsAreRefused() {
        assertThatThrownBy(() -> new NetworkSpec("net\nlink del eth0", 1500)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FixedIp("10.0.0.5 dev eth0", 24)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FixedIp("example.org", 24)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PortSpec("p", "n", "fa:16:3e:00:00:01 }", 1500, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SecurityRule(Direction.INGRESS, EtherType.IPV4, "tcp accept; drop", null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SecurityRule(Direction.INGRESS, EtherType.IPV4, "tcp", null, null, List.of("fd00::/8")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Addresses.requireNamespaceFile(Path.of("/run/netns/x\nlink del eth0")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Addresses.requireDevice("eth0-far-too-long")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Route("10.9.0.0/16", "10.0.0.1").destination()).isEqualTo("10.9.0.0/16");
        assertThat(new Route("10.9.0.7", "10.0.0.1").destination()).isEqualTo("10.9.0.7/32");
    }

    @Test
    void deviceNamesFitTheKernelsFifteenCharacters() {
        assertThat(devices("0f6a2b9c-1111-2222-3333-444455556666"))
                .containsExactly("tap0f6a2b9c-11", "brq0f6a2b9c-11", "qr-0f6a2b9c-11", "qg-0f6a2b9c-11");
        // Any id the driver takes (up to 64 characters) gives names the kernel takes.
        String longest = (UUID.randomUUID().toString() + UUID.randomUUID()).substring(0, 64);
        for (String id : List.of(UUID.randomUUID().toString(), longest)) {
            assertThat(devices(Addresses.requireId("id", id))).allMatch(name -> name.length() <= 15, "at most 15 characters");
        }
    }

    private static List<String> devices(String id) {
        return List.of(LinuxNetworkDriver.portDevice(id), LinuxNetworkDriver.bridgeDevice(id),
                LinuxNetworkDriver.routerInterfaceDevice(id), LinuxNetworkDriver.gatewayDevice(id));
    }
}
