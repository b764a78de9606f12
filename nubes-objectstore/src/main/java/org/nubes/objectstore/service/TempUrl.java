package org.nubes.objectstore.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Swift's temporary URLs (the tempurl middleware): temp_url_sig is the HMAC, with one of the
 * account's or container's Temp-URL keys, of {@code METHOD\nEXPIRES\nPATH} (PATH is
 * {@code prefix:/v1/account/container/prefix} for a prefix-based URL). The digest is told by the
 * signature's length in hex (SHA-1, SHA-256, SHA-512) or by a {@code sha256:<base64>} form.
 */
public final class TempUrl {
    public static final List<String> METHODS = List.of("GET", "HEAD", "PUT");
    public static final List<String> DIGESTS = List.of("sha1", "sha256", "sha512");
    private static final String INVALID = "401 Unauthorized: Temp URL invalid\n";

    private TempUrl() {}

    /** The expiry in epoch seconds: an integer, or an ISO 8601 UTC time; 401 otherwise. */
    public static long expires(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            try {
                return Instant.parse(value.strip()).getEpochSecond();
            } catch (DateTimeParseException f) {
                throw invalid();
            }
        }
    }

    /**
     * Checks a request: 401 with Swift's body unless the signature is one of keys' for the method
     * (a HEAD may use a GET or PUT signature), the path, and an expiry not yet passed.
     */
    public static void check(String method, String path, String prefix, String signature, String expiresText,
            List<String> keys, long nowSeconds) {
        if (signature == null || expiresText == null || !METHODS.contains(method)) {
            throw invalid();
        }
        long expires = expires(expiresText);
        if (expires < nowSeconds) {
            throw invalid();
        }
        String algorithm;
        byte[] given;
        try {
            int colon = signature.indexOf(':');
            if (colon > 0) {
                algorithm = signature.substring(0, colon).toLowerCase(Locale.ROOT);
                String b64 = signature.substring(colon + 1).replace('-', '+').replace('_', '/');
                given = Base64.getMimeDecoder().decode(b64);
            } else {
                given = HexFormat.of().parseHex(signature.toLowerCase(Locale.ROOT));
                algorithm = switch (given.length) {
                    case 20 -> "sha1";
                    case 32 -> "sha256";
                    case 64 -> "sha512";
                    default -> throw invalid();
                };
            }
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (!DIGESTS.contains(algorithm)) {
            throw invalid();
        }
        String signedPath = prefix == null ? path : "prefix:" + path;
        List<String> methods = method.equals("HEAD") ? List.of("HEAD", "GET", "PUT") : List.of(method);
        for (String key : keys) {
            for (String m : methods) {
                byte[] expected = hmac(algorithm, key, m + "\n" + expires + "\n" + signedPath);
                if (MessageDigest.isEqual(expected, given)) {
                    return;
                }
            }
        }
        throw invalid();
    }

    /** The HMAC of message with key; algorithm is sha1, sha256 or sha512. */
    public static byte[] hmac(String algorithm, String key, String message) {
        String name = "Hmac" + algorithm.toUpperCase(Locale.ROOT);
        try {
            Mac mac = Mac.getInstance(name);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), name));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SwiftError invalid() {
        return SwiftError.text(401, INVALID);
    }
}
