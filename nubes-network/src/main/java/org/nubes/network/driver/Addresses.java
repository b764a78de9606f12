package org.nubes.network.driver;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Checks every value that ends up in an ip or nft script. The scripts are plain text, so anything that is
 * not exactly an id, a MAC or an address literal must be refused before it can inject a command.
 */
final class Addresses {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");
    private static final Pattern MAC = Pattern.compile("(?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");
    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("/[A-Za-z0-9/_.-]{1,4000}");

    private Addresses() {}

    static String requireId(String what, String id) {
        return require(what, id, ID);
    }

    static String requireMac(String mac) {
        return require("MAC address", mac, MAC).toLowerCase(java.util.Locale.ROOT);
    }

    static String requireDevice(String name) {
        return require("device name", name, DEVICE);
    }

    /** A namespace file, as an absolute path of plain characters (it goes into an ip batch line). */
    static Path requireNamespaceFile(Path file) {
        require("namespace file", file == null ? null : file.toString(), ABSOLUTE_PATH);
        return file;
    }

    /** An IPv4 or IPv6 literal, never a host name (which would cost a DNS lookup and could be anything). */
    static String requireIp(String ip) {
        if (ip == null) {
            throw new IllegalArgumentException("an IP address is missing");
        }
        try {
            InetAddress.ofLiteral(ip);
            return ip;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address: " + ip);
        }
    }

    /** An address with a prefix length ("10.0.0.0/24"); a bare address means the host alone. */
    static String requirePrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("an IP prefix is missing");
        }
        int slash = prefix.indexOf('/');
        String address = requireIp(slash < 0 ? prefix : prefix.substring(0, slash));
        int maxLength = isIpv6(address) ? 128 : 32;
        if (slash < 0) {
            return address + "/" + maxLength;
        }
        requirePrefixLength(address, parseLength(prefix, prefix.substring(slash + 1)));
        return prefix;
    }

    static int requirePrefixLength(String address, int length) {
        int maxLength = isIpv6(address) ? 128 : 32;
        if (length < 0 || length > maxLength) {
            throw new IllegalArgumentException("bad prefix length " + length + " for " + address);
        }
        return length;
    }

    static boolean isIpv6(String addressOrPrefix) {
        int slash = addressOrPrefix.indexOf('/');
        return InetAddress.ofLiteral(slash < 0 ? addressOrPrefix : addressOrPrefix.substring(0, slash))
                instanceof Inet6Address;
    }

    private static int parseLength(String prefix, String length) {
        try {
            return Integer.parseInt(length);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an IP prefix: " + prefix);
        }
    }

    private static String require(String what, String value, Pattern pattern) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException("bad " + what + ": " + value);
        }
        return value;
    }
}
