package org.nubes.identity.token;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Keystone's Fernet token payloads (keystone/token/token_formatters.py), byte for byte, so tokens
 * validate across Keystone and Nubes nodes sharing a key repository. Each payload is a msgpack
 * array whose first element selects the layout:
 *
 * <pre>
 * 0 unscoped        [0, user, methods, expires_at, audit_ids]
 * 1 domain          [1, user, methods, domain_id, expires_at, audit_ids]
 * 2 project         [2, user, methods, project, expires_at, audit_ids]
 * 8 system          [8, user, methods, system, expires_at, audit_ids]
 * 9 app credential  [9, user, methods, project, expires_at, audit_ids, app_cred]
 * </pre>
 *
 * user, project and app_cred are [true, 16 uuid bytes] or [false, string]. The domain id alone is
 * not wrapped (a Keystone quirk): 16 uuid bytes, or the plain string for ids like "default".
 */
public final class TokenCodec {
    /** Keystone's default [auth] methods; a method's bit is 1 << its index. */
    private static final List<String> METHODS =
            List.of("external", "password", "token", "oauth1", "mapped", "application_credential");

    private static final int UNSCOPED = 0;
    private static final int DOMAIN = 1;
    private static final int PROJECT = 2;
    private static final int SYSTEM = 8;
    private static final int APPLICATION_CREDENTIAL = 9;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder AUDIT_ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final HexFormat HEX = HexFormat.of();

    /** A decoded payload and its Fernet timestamp, which Keystone reports as issued_at. */
    public record Decoded(TokenPayload payload, Instant issuedAt) {}

    private final FernetKeyRepository keys;

    public TokenCodec(FernetKeyRepository keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    public String encode(TokenPayload payload) {
        return encode(payload, Instant.now());
    }

    /** issuedAt ends up in the token truncated to seconds. */
    public String encode(TokenPayload payload, Instant issuedAt) {
        List<FernetKey> available = keys.keys();
        if (available.isEmpty()) {
            throw new IllegalStateException("no Fernet keys to sign with");
        }
        return Fernet.encrypt(pack(payload), available.getFirst(), issuedAt);
    }

    /** Verifies and decodes; does NOT check expiry (Keystone's allow_expired is the caller's call). */
    public TokenPayload decode(String token) {
        return decodeWithIssuedAt(token).payload();
    }

    public Decoded decodeWithIssuedAt(String token) {
        List<FernetKey> available = keys.keys();
        if (available.isEmpty()) {
            throw new IllegalStateException("no Fernet keys to validate with");
        }
        Fernet.Decrypted decrypted = Fernet.decrypt(token, available);
        return new Decoded(unpack(decrypted.plaintext()), decrypted.timestamp());
    }

    /** A new audit id, as Keystone makes them: 16 random bytes, urlsafe base64 without padding. */
    public static String newAuditId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return AUDIT_ENCODER.encodeToString(bytes);
    }

    static byte[] pack(TokenPayload p) {
        int version = switch (p.scope()) {
            case Scope.Unscoped _ -> UNSCOPED;
            case Scope.Domain _ -> DOMAIN;
            case Scope.Project _ -> p.applicationCredentialId() == null ? PROJECT : APPLICATION_CREDENTIAL;
            case Scope.System _ -> SYSTEM;
        };
        try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
            out.packArrayHeader(version == UNSCOPED ? 5 : version == APPLICATION_CREDENTIAL ? 7 : 6);
            out.packInt(version);
            packId(out, p.userId());
            out.packInt(methodBits(p.methods()));
            switch (p.scope()) {
                case Scope.Unscoped _ -> {}
                case Scope.Domain d -> {
                    if (isUuidHex(d.domainId())) {
                        packBinary(out, HEX.parseHex(d.domainId()));
                    } else {
                        out.packString(d.domainId());
                    }
                }
                case Scope.Project project -> packId(out, project.projectId());
                case Scope.System system -> out.packString(system.system());
            }
            // Keystone's float of seconds: microseconds survive, as exactly as Python computes it.
            Instant t = p.expiresAt();
            out.packDouble(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000) / 1e6);
            out.packArrayHeader(p.auditIds().size());
            for (String auditId : p.auditIds()) {
                packBinary(out, auditIdBytes(auditId));
            }
            if (version == APPLICATION_CREDENTIAL) {
                packId(out, p.applicationCredentialId());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory buffer: does not happen
        }
    }

    static TokenPayload unpack(byte[] bytes) {
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(bytes)) {
            int size = in.unpackArrayHeader();
            int version = in.unpackInt();
            int expectedSize = switch (version) {
                case UNSCOPED -> 5;
                case DOMAIN, PROJECT, SYSTEM -> 6;
                case APPLICATION_CREDENTIAL -> 7;
                default -> throw new InvalidTokenException("unsupported token payload version " + version);
            };
            if (size != expectedSize) {
                throw new InvalidTokenException("token payload has " + size + " fields, expected " + expectedSize);
            }
            String userId = unpackId(in);
            Set<String> methods = methodNames(in.unpackInt());
            Scope scope = switch (version) {
                case UNSCOPED -> new Scope.Unscoped();
                case DOMAIN -> new Scope.Domain(
                        in.getNextFormat().getValueType() == ValueType.BINARY ? uuidHex(unpackBinary(in)) : in.unpackString());
                case SYSTEM -> new Scope.System(in.unpackString());
                default -> new Scope.Project(unpackId(in));
            };
            Instant expiresAt = unpackTime(in);
            int auditCount = in.unpackArrayHeader();
            List<String> auditIds = new ArrayList<>(auditCount);
            for (int i = 0; i < auditCount; i++) {
                auditIds.add(AUDIT_ENCODER.encodeToString(unpackBinary(in)));
            }
            String applicationCredentialId = version == APPLICATION_CREDENTIAL ? unpackId(in) : null;
            if (in.hasNext()) {
                throw new InvalidTokenException("token payload has trailing bytes");
            }
            return new TokenPayload(userId, methods, scope, expiresAt, auditIds, applicationCredentialId);
        } catch (IOException | MessagePackException | IllegalArgumentException | ArithmeticException e) {
            throw new InvalidTokenException("malformed token payload");
        }
    }

    /** Uuid-shaped ids travel as 16 raw bytes: half the size, and Fernet tokens end up in headers. */
    private static void packId(MessageBufferPacker out, String id) throws IOException {
        out.packArrayHeader(2);
        if (isUuidHex(id)) {
            out.packBoolean(true);
            packBinary(out, HEX.parseHex(id));
        } else {
            out.packBoolean(false);
            out.packString(id);
        }
    }

    private static String unpackId(MessageUnpacker in) throws IOException {
        if (in.unpackArrayHeader() != 2) {
            throw new InvalidTokenException("malformed id in token payload");
        }
        return in.unpackBoolean() ? uuidHex(unpackBinary(in)) : in.unpackString();
    }

    /** Only the exact lowercase form, so that every id decodes back to the very same string. */
    private static boolean isUuidHex(String id) {
        return id.length() == 32 && id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    private static String uuidHex(byte[] bytes) {
        if (bytes.length != 16) {
            throw new InvalidTokenException("malformed uuid in token payload");
        }
        return HEX.formatHex(bytes);
    }

    private static void packBinary(MessageBufferPacker out, byte[] bytes) throws IOException {
        out.packBinaryHeader(bytes.length);
        out.writePayload(bytes);
    }

    private static byte[] unpackBinary(MessageUnpacker in) throws IOException {
        return in.readPayload(in.unpackBinaryHeader());
    }

    private static Instant unpackTime(MessageUnpacker in) throws IOException {
        MessageFormat format = in.getNextFormat();
        double seconds = format.getValueType() == ValueType.FLOAT ? in.unpackDouble() : in.unpackLong();
        if (!Double.isFinite(seconds) || Math.abs(seconds) > 1e12) {
            throw new InvalidTokenException("token expiry out of range");
        }
        long micros = Math.round(seconds * 1e6);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }

    private static int methodBits(Set<String> methods) {
        int bits = 0;
        for (String method : methods) {
            int index = METHODS.indexOf(method);
            if (index < 0) {
                throw new IllegalArgumentException("unknown auth method: " + method);
            }
            bits |= 1 << index;
        }
        return bits;
    }

    /** Highest bit first, the order in which Keystone lists them. */
    private static Set<String> methodNames(int bits) {
        if (bits < 0 || bits >= 1 << METHODS.size()) {
            throw new InvalidTokenException("unknown auth methods in token payload");
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = METHODS.size() - 1; i >= 0; i--) {
            if ((bits & 1 << i) != 0) {
                names.add(METHODS.get(i));
            }
        }
        return names;
    }

    /** Keystone packs audit ids as their 16 bytes; insist on the canonical form so they decode back unchanged. */
    private static byte[] auditIdBytes(String auditId) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(auditId);
        } catch (IllegalArgumentException e) {
            bytes = null;
        }
        if (bytes == null || bytes.length != 16 || !AUDIT_ENCODER.encodeToString(bytes).equals(auditId)) {
            throw new IllegalArgumentException("not an audit id (22 chars of urlsafe base64): " + auditId);
        }
        return bytes;
    }
}
