package org.nubes.network.service;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 address as a number, written the way Neutron writes it (RFC 5952 for IPv6). */
public record Ip(int version, BigInteger value) implements Comparable<Ip> {
    private static final Pattern V4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern V6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    /** The address, or empty when the text is not an IP address literal. */
    public static Optional<Ip> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        var v4 = V4.matcher(text);
        if (v4.matches()) {
            long value = 0;
            for (int i = 1; i <= 4; i++) {
                int octet = Integer.parseInt(v4.group(i));
                if (octet > 255) {
                    return Optional.empty();
                }
                value = value << 8 | octet;
            }
            return Optional.of(new Ip(4, BigInteger.valueOf(value)));
        }
        if (text.contains(":") && V6_CHARS.matcher(text).matches()) {
            try {
                byte[] bytes = InetAddress.getByName(text).getAddress();
                if (bytes.length == 16) {
                    return Optional.of(new Ip(6, new BigInteger(1, bytes)));
                }
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    public static int bits(int version) {
        return version == 4 ? 32 : 128;
    }

    public Ip plus(long n) {
        return new Ip(version, value.add(BigInteger.valueOf(n)));
    }

    @Override
    public int compareTo(Ip other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        if (version == 4) {
            long v = value.longValue();
            return (v >> 24 & 255) + "." + (v >> 16 & 255) + "." + (v >> 8 & 255) + "." + (v & 255);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = value.shiftRight(16 * (7 - i)).intValue() & 0xffff;
        }
        // The longest run of two or more zero groups (the first of equals) becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
