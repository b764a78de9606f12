package org.nubes.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nubes.core.http.ApiException;
import org.nubes.network.service.Cidr;
import org.nubes.network.service.Ip;

/** Addresses are read strictly and written as Neutron writes them. */
class IpTest {
    @Test
    void ipv6IsWrittenInItsShortestForm() {
        assertThat(Ip.parse("2001:0db8:0000:0000:0000:0000:0000:0001").orElseThrow()).hasToString("2001:db8::1");
        assertThat(Ip.parse("2001:db8:0:1:0:0:0:0").orElseThrow()).hasToString("2001:db8:0:1::");
        assertThat(Ip.parse("::").orElseThrow()).hasToString("::");
        assertThat(Ip.parse("1:0:0:2:0:0:0:3").orElseThrow()).hasToString("1:0:0:2::3");
        assertThat(Ip.parse("fe80::1:0:0:1").orElseThrow()).hasToString("fe80::1:0:0:1");
    }

    @Test
    void onlyLiteralsAreAddresses() {
        assertThat(Ip.parse("10.0.0.256")).isEmpty();
        assertThat(Ip.parse("localhost")).isEmpty();
        assertThat(Ip.parse("10.0.0")).isEmpty();
        assertThat(Ip.parse("10.1.2.3").orElseThrow()).hasToString("10.1.2.3");
    }

    @Test
    void cidrsMustBeNetworkAddresses() {
        Cidr cidr = Cidr.parse("cidr", "10.0.0.0/8");
        assertThat(cidr.last()).hasToString("10.255.255.255");
        assertThat(cidr.overlaps(Cidr.parse("cidr", "10.20.0.0/16"))).isTrue();
        assertThat(cidr.overlaps(Cidr.parse("cidr", "11.0.0.0/8"))).isFalse();
        assertThatThrownBy(() -> Cidr.parse("cidr", "10.0.0.1/8")).isInstanceOf(ApiException.class)
                .hasMessageContaining("'10.0.0.0/8' is recommended");
        assertThatThrownBy(() -> Cidr.parse("cidr", "2001:db8::/129")).isInstanceOf(ApiException.class);
    }
}
