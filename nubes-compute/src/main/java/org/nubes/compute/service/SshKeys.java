package org.nubes.compute.service;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.nubes.core.http.ApiException;

/**
 * The key material of key pairs: checking an OpenSSH public key, its MD5 fingerprint as Nova
 * shows it (colon-separated hex of the key blob), the SHA-1 fingerprint of an x509 certificate,
 * and generating an RSA key pair (the private key as a PKCS#1 PEM, which ssh-keygen reads).
 */
public final class SshKeys {
    /** Public key algorithms and the fields of their blobs after the name ("s" a string, "m" an mpint). */
    private static final Map<String, String> LAYOUTS = Map.ofEntries(
            Map.entry("ssh-rsa", "mm"),
            Map.entry("ssh-dss", "mmmm"),
            Map.entry("ssh-ed25519", "s"),
            Map.entry("ecdsa-sha2-nistp256", "ss"),
            Map.entry("ecdsa-sha2-nistp384", "ss"),
            Map.entry("ecdsa-sha2-nistp521", "ss"),
            Map.entry("sk-ecdsa-sha2-nistp256@openssh.com", "sss"),
            Map.entry("sk-ssh-ed25519@openssh.com", "ss"));

    /** A generated pair: the OpenSSH public key line, the PEM private key and the fingerprint. */
    public record Generated(String publicKey, String privateKey, String fingerprint) {}

    private SshKeys() {}

    /** The MD5 fingerprint of an OpenSSH public key line; 400 with Nova's message when it is not one. */
    public static String fingerprint(String publicKey) {
        byte[] blob = blob(publicKey);
        if (blob == null) {
            throw ApiException.badRequest("Keypair data is invalid: failed to generate fingerprint");
        }
        return colons(digest("MD5", blob));
    }

    /** The SHA-1 fingerprint of a PEM x509 certificate; 400 with Nova's message when it is not one. */
    public static String x509Fingerprint(String pem) {
        try {
            var cert = CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
            return colons(digest("SHA-1", cert.getEncoded()));
        } catch (CertificateException | RuntimeException e) {
            throw ApiException.badRequest("Keypair data is invalid: failed to generate X509 fingerprint. "
                    + "Error message: Unable to load certificate");
        }
    }

    /** A new 2048-bit RSA key pair, its public key commented "Generated-by-Nova" as Nova does. */
    public static Generated generateRsa() {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available", e);
        }
        RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        writeString(blob, "ssh-rsa".getBytes(StandardCharsets.US_ASCII));
        writeString(blob, pub.getPublicExponent().toByteArray());
        writeString(blob, pub.getModulus().toByteArray());
        String publicKey = "ssh-rsa " + Base64.getEncoder().encodeToString(blob.toByteArray()) + " Generated-by-Nova";
        return new Generated(publicKey, pkcs1Pem((RSAPrivateCrtKey) pair.getPrivate()), fingerprint(publicKey));
    }

    /**
     * A self-signed client certificate for WinRM, as Nova makes for a generated x509 key pair:
     * CN and a UPN of user@localhost, client-auth usage, ten years. The public key is the PEM
     * certificate, the private key a base64 PKCS#12 with an empty password holding key and certificate.
     */
    public static Generated generateX509(String userId) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            byte[] name = seq(set(seq(cat(oid("2.5.4.3"), tlv(0x0c, userId.getBytes(StandardCharsets.UTF_8))))));
            java.time.Instant now = java.time.Instant.now();
            byte[] validity = seq(cat(time(now), time(now.plus(java.time.Duration.ofDays(3650)))));
            byte[] algorithm = seq(cat(oid("1.2.840.113549.1.1.11"), new byte[] {0x05, 0x00}));
            byte[] clientAuth = seq(cat(oid("2.5.29.37"), tlv(0x04, seq(oid("1.3.6.1.5.5.7.3.2")))));
            byte[] upn = tlv(0xa0, cat(oid("1.3.6.1.4.1.311.20.2.3"),
                    tlv(0xa0, tlv(0x0c, (userId + "@localhost").getBytes(StandardCharsets.UTF_8)))));
            byte[] altName = seq(cat(oid("2.5.29.17"), tlv(0x04, seq(upn))));
            BigInteger serial = new BigInteger(63, new java.security.SecureRandom()).add(BigInteger.ONE);
            byte[] tbs = seq(cat(tlv(0xa0, tlv(0x02, new byte[] {2})), tlv(0x02, serial.toByteArray()), algorithm, name,
                    validity, name, pair.getPublic().getEncoded(), tlv(0xa3, seq(cat(clientAuth, altName)))));
            java.security.Signature signer = java.security.Signature.getInstance("SHA256withRSA");
            signer.initSign(pair.getPrivate());
            signer.update(tbs);
            byte[] signature = signer.sign();
            byte[] bits = new byte[signature.length + 1];
            System.arraycopy(signature, 0, bits, 1, signature.length);
            byte[] der = seq(cat(tbs, algorithm, tlv(0x03, bits)));
            var cert = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", pair.getPrivate(), new char[0], new java.security.cert.Certificate[] {cert});
            ByteArrayOutputStream p12 = new ByteArrayOutputStream();
            store.store(p12, new char[0]);
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                    + "\n-----END CERTIFICATE-----\n";
            return new Generated(pem, Base64.getEncoder().encodeToString(p12.toByteArray()), colons(digest("SHA-1", der)));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot make a certificate", e);
        }
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        der(out, tag, content);
        return out.toByteArray();
    }

    private static byte[] seq(byte[] content) {
        return tlv(0x30, content);
    }

    private static byte[] set(byte[] content) {
        return tlv(0x31, content);
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            long arc = Long.parseLong(arcs[i]);
            int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(arc) + 6) / 7);
            for (int g = groups - 1; g >= 0; g--) {
                int bits = (int) ((arc >>> (7 * g)) & 0x7f);
                out.write(g > 0 ? bits | 0x80 : bits);
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    /** UTCTime until 2049, GeneralizedTime after, as X.509 asks. */
    private static byte[] time(java.time.Instant instant) {
        java.time.ZonedDateTime utc = instant.atZone(java.time.ZoneOffset.UTC);
        boolean generalized = utc.getYear() >= 2050;
        String text = java.time.format.DateTimeFormatter.ofPattern(generalized ? "yyyyMMddHHmmss'Z'" : "yyMMddHHmmss'Z'")
                .format(utc);
        return tlv(generalized ? 0x18 : 0x17, text.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The decoded key blob of "type base64 [comment]", or null when the line is not a well-formed
     * key: the blob must name the same type and hold exactly that type's fields.
     */
    static byte[] blob(String line) {
        String[] parts = line.strip().split("\\s+", 3);
        if (parts.length < 2) {
            return null;
        }
        String layout = LAYOUTS.get(parts[0]);
        if (layout == null) {
            return null;
        }
        // Nova hashes the second field split on single spaces; a well-formed line has it there too.
        String[] spaced = line.split(" ");
        if (spaced.length < 2 || !spaced[1].strip().equals(parts[1])) {
            return null;
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(blob);
        byte[] name = readString(in);
        if (name == null || !new String(name, StandardCharsets.US_ASCII).equals(parts[0])) {
            return null;
        }
        for (char field : layout.toCharArray()) {
            byte[] value = readString(in);
            if (value == null || (field == 'm' && (value.length == 0 || value[0] < 0))) {
                return null;
            }
        }
        if (in.hasRemaining()) {
            return null;
        }
        if (parts[0].equals("ssh-ed25519") && keyLength(blob, 1) != 32) {
            return null;
        }
        return blob;
    }

    private static int keyLength(byte[] blob, int index) {
        return field(blob, index).length;
    }

    private static byte[] field(byte[] blob, int index) {
        ByteBuffer in = ByteBuffer.wrap(blob);
        byte[] value = null;
        for (int i = 0; i <= index; i++) {
            value = readString(in);
        }
        return value;
    }

    private static byte[] readString(ByteBuffer in) {
        if (in.remaining() < 4) {
            return null;
        }
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            return null;
        }
        byte[] value = new byte[length];
        in.get(value);
        return value;
    }

    private static void writeString(ByteArrayOutputStream out, byte[] value) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
        out.writeBytes(value);
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }

    private static String colons(byte[] hash) {
        String hex = HexFormat.of().formatHex(hash);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) {
            if (i > 0) {
                out.append(':');
            }
            out.append(hex, i, i + 2);
        }
        return out.toString();
    }

    /** RSAPrivateKey of PKCS#1 (version, n, e, d, p, q, dp, dq, qinv) in DER, as PEM. */
    private static String pkcs1Pem(RSAPrivateCrtKey key) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (BigInteger n : new BigInteger[] {BigInteger.ZERO, key.getModulus(), key.getPublicExponent(),
                key.getPrivateExponent(), key.getPrimeP(), key.getPrimeQ(), key.getPrimeExponentP(),
                key.getPrimeExponentQ(), key.getCrtCoefficient()}) {
            der(body, 0x02, n.toByteArray());
        }
        ByteArrayOutputStream sequence = new ByteArrayOutputStream();
        der(sequence, 0x30, body.toByteArray());
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(sequence.toByteArray());
        return "-----BEGIN RSA PRIVATE KEY-----\n" + base64 + "\n-----END RSA PRIVATE KEY-----\n";
    }

    private static void der(ByteArrayOutputStream out, int tag, byte[] content) {
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write((length >>> (8 * i)) & 0xff);
            }
        }
        out.writeBytes(content);
    }
}
