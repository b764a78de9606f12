package org.nubes.identity.token;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * One Fernet key: 32 bytes, the first 16 sign (HMAC-SHA256), the last 16 encrypt (AES-128).
 * The halves are kept as {@link SecretKey}s so they are built once, compare by value and never print.
 */
public record FernetKey(SecretKey signingKey, SecretKey encryptionKey) {
    private static final SecureRandom RANDOM = new SecureRandom();

    public FernetKey {
        Objects.requireNonNull(signingKey, "signingKey");
        Objects.requireNonNull(encryptionKey, "encryptionKey");
        if (signingKey.getEncoded().length != 16 || encryptionKey.getEncoded().length != 16) {
            throw new IllegalArgumentException("Fernet key halves must be 16 bytes each");
        }
    }

    public static FernetKey of(byte[] key32) {
        if (key32.length != 32) {
            throw new IllegalArgumentException("a Fernet key is 32 bytes, got " + key32.length);
        }
        return new FernetKey(
                new SecretKeySpec(key32, 0, 16, "HmacSHA256"), new SecretKeySpec(key32, 16, 16, "AES"));
    }

    /** Parses the key file format: urlsafe base64 of 32 bytes (padding and surrounding whitespace allowed). */
    public static FernetKey parse(String encoded) {
        try {
            return of(Base64.getUrlDecoder().decode(encoded.strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a Fernet key: " + e.getMessage());
        }
    }

    public static FernetKey generate() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return of(key);
    }

    /** The key as Python's cryptography writes it: 44 chars of urlsafe base64 with padding. */
    public String encoded() {
        byte[] key = new byte[32];
        System.arraycopy(signingKey.getEncoded(), 0, key, 0, 16);
        System.arraycopy(encryptionKey.getEncoded(), 0, key, 16, 16);
        String s = Base64.getUrlEncoder().encodeToString(key);
        Arrays.fill(key, (byte) 0);
        return s;
    }

    // SecretKeySpec's hashCode is derived from the key bytes: keep it out of logs.
    @Override
    public String toString() {
        return "FernetKey[redacted]";
    }
}
