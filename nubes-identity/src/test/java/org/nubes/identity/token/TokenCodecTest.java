package org.nubes.identity.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.value.Value;

class TokenCodecTest {
    static final String UUID_USER = "a5b4c3d2e1f00112233445566778899a";
    static final String UUID_PROJECT = "0123456789abcdef0123456789abcdef";
    static final Instant EXPIRES = Instant.parse("2030-01-02T03:04:05.123456Z");
    static final List<String> AUDIT_IDS = List.of("AAECAwQFBgcICQoLDA0ODw", "Zm9vYmFyYmF6cXV4MTIzNA");

    @TempDir
    Path dir;

    FernetKeyRepository keys;
    TokenCodec codec;

    @BeforeEach
    void setUp() {
        keys = new FernetKeyRepository(dir, 3);
        keys.initialize();
        codec = new TokenCodec(keys);
    }

    @Test
    void roundTripsEveryScopeWithUuidAndOtherIds() {
        List<TokenPayload> payloads = List.of(
                payload(UUID_USER, new Scope.Unscoped(), null),
                payload("ldap-user@example", new Scope.Unscoped(), null),
                payload(UUID_USER, new Scope.Project(UUID_PROJECT), null),
                payload("federated-user", new Scope.Project("not-a-uuid"), null),
                payload(UUID_USER, new Scope.Domain(UUID_PROJECT), null),
                payload(UUID_USER, new Scope.Domain("default"), null),
                payload(UUID_USER, Scope.System.ALL, null),
                payload("admin", Scope.System.ALL, null),
                payload(UUID_USER, new Scope.Project(UUID_PROJECT), "c0ffeec0ffeec0ffeec0ffeec0ffeec0"),
                payload("svc", new Scope.Project("proj"), "my-app-cred"),
                // uuid-like but not Keystone's exact hex form: must come back unchanged
                payload("A5B4C3D2E1F00112233445566778899A", new Scope.Project("01234567-89ab-cdef-0123-456789abcdef"), null));

        for (TokenPayload payload : payloads) {
            String token = codec.encode(payload);
            assertThat(codec.decode(token)).as(token).isEqualTo(payload);
        }
    }

    @Test
    void keepsMethodsAuditIdsAndExpiryToTheMicrosecond() {
        TokenPayload payload = new TokenPayload(
                UUID_USER,
                Set.of("external", "password", "token", "oauth1", "mapped", "application_credential"),
                new Scope.Project(UUID_PROJECT),
                Instant.parse("2030-01-02T03:04:05.999999999Z"),
                List.of(TokenCodec.newAuditId(), TokenCodec.newAuditId()),
                null);

        TokenPayload decoded = codec.decode(codec.encode(payload));

        assertThat(decoded.methods()).isEqualTo(payload.methods());
        assertThat(decoded.auditIds()).isEqualTo(payload.auditIds());
        assertThat(decoded.expiresAt()).isEqualTo(Instant.parse("2030-01-02T03:04:05.999999Z"));
        TokenPayload noMethods = new TokenPayload("u", Set.of(), new Scope.Unscoped(), EXPIRES, List.of(), null);
        assertThat(codec.decode(codec.encode(noMethods))).isEqualTo(noMethods);
    }

    @Test
    void reportsTheFernetTimestampAsIssuedAt() {
        String token = codec.encode(payload(UUID_USER, new Scope.Unscoped(), null), Instant.parse("2026-05-06T07:08:09.5Z"));
        assertThat(codec.decodeWithIssuedAt(token).issuedAt()).isEqualTo(Instant.parse("2026-05-06T07:08:09Z"));
    }

    @Test
    void packsIdsTheWayKeystoneDoes() throws IOException {
        List<Value> project = MessagePack.newDefaultUnpacker(
                        TokenCodec.pack(payload(UUID_USER, new Scope.Project("proj"), null)))
                .unpackValue().asArrayValue().list();

        assertThat(project).hasSize(6);
        assertThat(project.get(0).asIntegerValue().asInt()).isEqualTo(2);
        List<Value> user = project.get(1).asArrayValue().list();
        assertThat(user.get(0).asBooleanValue().getBoolean()).isTrue();
        assertThat(user.get(1).asBinaryValue().asByteArray()).isEqualTo(HexFormat.of().parseHex(UUID_USER));
        assertThat(project.get(2).asIntegerValue().asInt()).isEqualTo(2 | 4); // password, token
        assertThat(project.get(3).toJson()).isEqualTo("[false,\"proj\"]");
        assertThat(project.get(4).asFloatValue().toDouble()).isEqualTo(1893553445.123456);
        assertThat(project.get(5).asArrayValue().list())
                .map(id -> Base64.getUrlEncoder().withoutPadding().encodeToString(id.asBinaryValue().asByteArray()))
                .isEqualTo(AUDIT_IDS);

        // the domain id is not wrapped in [is_uuid, id]
        Value domain = MessagePack.newDefaultUnpacker(TokenCodec.pack(payload("u", new Scope.Domain("default"), null)))
                .unpackValue();
        assertThat(domain.asArrayValue().get(3).asStringValue().asString()).isEqualTo("default");
        Value uuidDomain = MessagePack.newDefaultUnpacker(TokenCodec.pack(payload("u", new Scope.Domain(UUID_PROJECT), null)))
                .unpackValue();
        assertThat(uuidDomain.asArrayValue().get(3).asBinaryValue().asByteArray()).hasSize(16);
    }

    /**
     * Tokens made by a Python script doing exactly what keystone/token/token_formatters.py does
     * (msgpack 1.0, cryptography 38), with key 1 = the Fernet spec's secret.
     */
    @Test
    void decodesTokensIssuedByKeystone() throws IOException {
        Files.writeString(dir.resolve("1"), "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");
        keys.rotate(); // drops nothing (3 keys); the written key is now a secondary
        List<String> audit0 = AUDIT_IDS.subList(0, 1);

        assertThat(codec.decode("gAAAAABrBTh-OLijxYgRqE31n71WaO9Cf4Hpux-UOPy37ahN-KWkifRzuN-hN3TPH4qSi1mnOjD_BbjFGNar8k_Hq1ICAVUNepWUUjk0cofug6aF7rOKP1QAHtpnRIscSCQN6JSwR2BCYBMKzVXQNsX7skjplBLpVWASSp-y_uaMdtRYt8sIWZUsLcZ16adPhisYSBjHcZo5"))
                .isEqualTo(new TokenPayload(UUID_USER, Set.of("password", "token"), new Scope.Project(UUID_PROJECT), EXPIRES, AUDIT_IDS, null));
        assertThat(codec.decode("gAAAAABrBTh-Qhyq7U5EC_qBVxJMzhJAxaHOfGakohAG3f2kiXaHMtNJjLpDx50c08dpwb89zgxlKPc7mY-br90SpWVgDRpcDFOYTWnVeGfMEpPapNk-H3Srn4V60tLzSwbPVuqjIBUJqj9OSIATHIqU6RAmG3rV1Q"))
                .isEqualTo(new TokenPayload("federated-user", Set.of("password"), new Scope.Domain("default"), EXPIRES, audit0, null));
        assertThat(codec.decode("gAAAAABrBTh-pJrgR0UL-2tdiFP-lhm1BUXeJ0mM85xfasEqr6Io_QP7kEQy7g7OtaTcmYisRqE-g6SYyw6nOEbXPBvf5f_KnZyKvEcmf0pX8k5wgs0WfYf6qiKo4N7oMIDy1wDEZ6BGn1kycDD9e_SgENgD4FvVCHTJ9lhk15a_86Wkgj9tgZU"))
                .isEqualTo(new TokenPayload(UUID_USER, Set.of("password"), new Scope.Domain(UUID_PROJECT), EXPIRES, audit0, null));
        assertThat(codec.decode("gAAAAABrBTh-lOyqZboQMRFRprIqASDlppnjCI7r9iioXTMgTvHiESRCma3W5meCvNYo8KsVYndkBl9LYQgQ7LBW_9tCBQA2aYzJr52J5ic7P7Odz08anBdx84l4bz4BACu3Wuw2ClhhieBVBSFETu2Ir4_GnnPC6A"))
                .isEqualTo(new TokenPayload(UUID_USER, Set.of("password"), Scope.System.ALL, EXPIRES, audit0, null));
        assertThat(codec.decode("gAAAAABrBTh-60wGe0TIhmyaHevtQCP0U9rk9L21rC_HBLnsVVaGmyuZwuwXXDwzXtwlFu_VoeAyFC0KeAA-GHEcCgnRZJ2IwN3yNqrx_MyyaFw0cAPxWjJxq7qwwmApgxktXD5dD3Opy6WeWLaDYFFPf3Gb6X2UEQ"))
                .isEqualTo(new TokenPayload(UUID_USER, Set.of("external"), new Scope.Unscoped(), EXPIRES, audit0, null));
        assertThat(codec.decode("gAAAAABrBTh-qX_NjTfA2K9Fr2tmFCUW4TmCjTpN34k0ToRZYBNAs65Wi94HVVC9Bj4vGmAZ97DshRXZ9tlfzGlcmvYj46Vh0flPZTX_nKVCTyEK49c5TWcQK98b0XZSnLQCFFLd7pbe3K9aP2OrpSRgP4a106QQbikGgqB37f3xUwMNjqz5-WBgdUNAbUsQ75CeYopeRPi-"))
                .isEqualTo(new TokenPayload(UUID_USER, Set.of("application_credential"), new Scope.Project(UUID_PROJECT), EXPIRES, audit0, "my-app-cred"));
    }

    @Test
    void tokensFromSecondaryKeysDecodeUntilTheKeyIsRotatedOut() {
        TokenPayload payload = payload(UUID_USER, new Scope.Project(UUID_PROJECT), null);
        String token = codec.encode(payload); // signed by primary key 1

        keys.rotate(); // keys 0, 1, 2: key 1 is now a secondary
        assertThat(codec.decode(token)).isEqualTo(payload);

        keys.rotate(); // keys 0, 2, 3: key 1 is gone
        assertThatThrownBy(() -> codec.decode(token)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void tokensFromTheStagedKeyDecode() throws IOException {
        // Another node rotated first and signs with what is still our staged key.
        FernetKey staged = FernetKey.parse(Files.readString(dir.resolve("0")));
        TokenPayload payload = payload(UUID_USER, new Scope.Unscoped(), null);
        String token = Fernet.encrypt(TokenCodec.pack(payload), staged, Instant.now());

        assertThat(codec.decode(token)).isEqualTo(payload);
    }

    @Test
    void rejectsTamperedAndTruncatedTokens() {
        String token = codec.encode(payload(UUID_USER, new Scope.Project(UUID_PROJECT), null));
        char[] chars = token.toCharArray();
        int middle = chars.length / 2;
        chars[middle] = chars[middle] == 'x' ? 'y' : 'x';

        assertThatThrownBy(() -> codec.decode(new String(chars))).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> codec.decode(token.substring(0, token.length() - 10)))
                .isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> codec.decode(token.substring(0, 40))).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> codec.decode("")).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void rejectsCorrectlySignedPayloadsItDoesNotUnderstand() throws IOException {
        byte[] valid = TokenCodec.pack(payload(UUID_USER, new Scope.Project(UUID_PROJECT), "c0ffeec0ffeec0ffeec0ffeec0ffeec0"));
        for (int length = 0; length < valid.length; length++) {
            byte[] truncated = Arrays.copyOf(valid, length);
            assertThatThrownBy(() -> TokenCodec.unpack(truncated)).as("length %d", length)
                    .isInstanceOf(InvalidTokenException.class);
        }
        byte[] trailing = Arrays.copyOf(valid, valid.length + 1);
        assertThatThrownBy(() -> TokenCodec.unpack(trailing)).isInstanceOf(InvalidTokenException.class);

        MessageBufferPacker trust = MessagePack.newDefaultBufferPacker(); // version 3: trust-scoped
        trust.packArrayHeader(7).packInt(3);
        String token = Fernet.encrypt(trust.toByteArray(), keys.keys().getFirst(), Instant.now());
        assertThatThrownBy(() -> codec.decode(token))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("version 3");

        MessageBufferPacker unknownMethod = MessagePack.newDefaultBufferPacker();
        unknownMethod.packArrayHeader(5).packInt(0).packArrayHeader(2).packBoolean(false).packString("u")
                .packInt(64).packDouble(1e9).packArrayHeader(0);
        assertThatThrownBy(() -> TokenCodec.unpack(unknownMethod.toByteArray())).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void refusesToEncodeWhatKeystoneCouldNotDecode() {
        assertThatThrownBy(() -> codec.encode(new TokenPayload(
                        "u", Set.of("kerberos"), new Scope.Unscoped(), EXPIRES, AUDIT_IDS, null)))
                .isInstanceOf(IllegalArgumentException.class);
        for (String auditId : List.of("short", "AAECAwQFBgcICQoLDA0ODx", "AAECAwQFBgcICQoLDA0OD+")) {
            assertThatThrownBy(() -> codec.encode(new TokenPayload(
                            "u", Set.of("password"), new Scope.Unscoped(), EXPIRES, List.of(auditId), null)))
                    .as(auditId)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> payload("u", new Scope.Domain("default"), "app-cred"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void auditIdsAre22UrlsafeChars() {
        String auditId = TokenCodec.newAuditId();
        assertThat(auditId).hasSize(22).matches("[A-Za-z0-9_-]{22}").isNotEqualTo(TokenCodec.newAuditId());
    }

    private static TokenPayload payload(String userId, Scope scope, String appCredId) {
        Set<String> methods = appCredId == null ? Set.of("password", "token") : Set.of("application_credential");
        return new TokenPayload(userId, methods, scope, EXPIRES, AUDIT_IDS, appCredId);
    }
}
