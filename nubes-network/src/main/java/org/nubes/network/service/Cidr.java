package org.nubes.network.service;

import java.math.BigInteger;
import java.util.Optional;

/** An IP network: its address (host bits zero) and prefix length. */
public record Cidr(Ip network, int prefix) {

    public int version() {
        return network.version();
    }

    /** The CIDR, or a 400 naming the attribute when it is not a network address with a valid prefix. */
    public static Cidr parse(String attribute, String text) {
        String[] parts = text == null ? new String[0] : text.split("/", -1);
        Optional<Ip> ip = parts.length == 2 ? Ip.parse(parts[0]) : Optional.empty();
        int prefix;
        try {
            prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : -1;
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (ip.isEmpty() || prefix < 0 || prefix > Ip.bits(ip.get().version())) {
            throw NeutronError.badAttribute(attribute, "'%s' is not a valid IP subnet", text);
        }
        Cidr cidr = new Cidr(ip.get(), prefix);
        Ip base = new Ip(ip.get().version(), ip.get().value().and(cidr.mask()));
        if (!base.equals(ip.get())) {
            throw NeutronError.badAttribute(attribute, "'%s' isn't a recognized IP subnet cidr, '%s/%d' is recommended",
                    text, base, prefix);
        }
        return cidr;
    }

    private BigInteger mask() {
        int bits = Ip.bits(version());
        BigInteger all = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        BigInteger host = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
        return all.xor(host);
    }

    public Ip last() {
        return new Ip(version(), network.value().add(BigInteger.ONE.shiftLeft(Ip.bits(version()) - prefix)).subtract(BigInteger.ONE));
    }

    public boolean contains(Ip ip) {
        return ip.version() == version() && ip.compareTo(network) >= 0 && ip.compareTo(last()) <= 0;
    }

    public boolean overlaps(Cidr other) {
        return other.version() == version() && (contains(other.network) || other.contains(network));
    }

    @Override
    public String toString() {
        return network + "/" + prefix;
    }
}
