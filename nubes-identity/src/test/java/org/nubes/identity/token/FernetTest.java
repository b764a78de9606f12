package org.nubes.identity.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import org.junit.jupiter.api.Test;

class FernetTest {
    // The spec's generate.json / verify.json vector.
    static final FernetKey SPEC_KEY = FernetKey.parse("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");
    static final Instant SPEC_NOW = OffsetDateTime.parse("1985-10-26T01:20:00-07:00").toInstant();
    static final String SPEC_TOKEN =
            "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";

    final Instant now = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void knownAnswerFromTheSpec() {
        byte[] iv = new byte[16];
        for (int i = 0; i < 16; i++) {
            iv[i] = (byte) i;
        }
        String token = Fernet.encrypt("hello".getBytes(StandardCharsets.UTF_8), SPEC_KEY, SPEC_NOW, iv);

        assertThat(token).isEqualTo(SPEC_TOKEN.replace("=", "")); // Keystone strips the padding

        for (String t : List.of(SPEC_TOKEN, token)) { // with and without padding
            Fernet.Decrypted decrypted = Fernet.decrypt(t, List.of(SPEC_KEY));
            assertThat(new String(decrypted.plaintext(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(decrypted.timestamp()).isEqualTo(SPEC_NOW);
        }
    }

    @Test
    void roundTripsAnySizeWithTheTimestampInSeconds() {
        FernetKey key = FernetKey.generate();
        for (int size : new int[] {0, 1, 15, 16, 17, 100, 1000}) {
            byte[] plaintext = new byte[size];
            for (int i = 0; i < size; i++) {
                plaintext[i] = (byte) (i * 31);
            }
            String token = Fernet.encrypt(plaintext, key, now.plusNanos(999_999_999));

            assertThat(token).doesNotContain("=", "+", "/");
            Fernet.Decrypted decrypted = Fernet.decrypt(token, List.of(key));
            assertThat(decrypted.plaintext()).isEqualTo(plaintext);
            assertThat(decrypted.timestamp()).isEqualTo(now);
        }
    }

    @Test
    void triesEveryKeyInOrder() {
        FernetKey signer = FernetKey.generate();
        String token = Fernet.encrypt(new byte[] {42}, signer, now);

        assertThat(Fernet.decrypt(token, List.of(FernetKey.generate(), signer)).plaintext()).containsExactly(42);
        assertThatThrownBy(() -> Fernet.decrypt(token, List.of(FernetKey.generate())))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("signature");
        assertThatThrownBy(() -> Fernet.decrypt(token, List.of())).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void rejectsTamperedTokens() {
        FernetKey key = FernetKey.generate();
        String token = Fernet.encrypt(new byte[100], key, now);
        for (int i = 0; i < token.length() - 1; i++) { // the last char carries unused bits
            char[] chars = token.toCharArray();
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            String tampered = new String(chars);
            assertThatThrownBy(() -> Fernet.decrypt(tampered, List.of(key)))
                    .as("flipped char %d", i)
                    .isInstanceOf(InvalidTokenException.class);
        }
    }

    @Test
    void rejectsTruncatedAndGarbageTokens() {
        FernetKey key = FernetKey.generate();
        String token = Fernet.encrypt(new byte[40], key, now);
        for (int length = 0; length < token.length(); length++) {
            String truncated = token.substring(0, length);
            assertThatThrownBy(() -> Fernet.decrypt(truncated, List.of(key)))
                    .as("length %d", length)
                    .isInstanceOf(InvalidTokenException.class);
        }
        for (String garbage : List.of("%%%%", "gAAAAA==AAAA", "not a token", token + "A", token + "AAAA")) {
            assertThatThrownBy(() -> Fernet.decrypt(garbage, List.of(key))).isInstanceOf(InvalidTokenException.class);
        }
    }

    @Test
    void rejectsCorrectlySignedButMalformedTokens() throws Exception {
        FernetKey key = FernetKey.generate();
        byte[] token = Base64.getUrlDecoder().decode(Fernet.encrypt("hello".getBytes(StandardCharsets.UTF_8), key, now));

        byte[] badIv = token.clone(); // the spec's "incorrect IV (causes padding error)"
        badIv[9 + 15] ^= 0x55;
        assertThatThrownBy(() -> Fernet.decrypt(resign(badIv, key), List.of(key)))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("padding");

        byte[] badVersion = token.clone();
        badVersion[0] = (byte) 0x81;
        assertThatThrownBy(() -> Fernet.decrypt(resign(badVersion, key), List.of(key)))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("version");

        byte[] badTimestamp = token.clone();
        ByteBuffer.wrap(badTimestamp).putLong(1, -1L);
        assertThatThrownBy(() -> Fernet.decrypt(resign(badTimestamp, key), List.of(key)))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("timestamp");
    }

    @Test
    void keysUseThePythonFileFormat() {
        FernetKey key = FernetKey.generate();
        assertThat(key.encoded()).hasSize(44).endsWith("=");
        assertThat(FernetKey.parse(key.encoded() + "\n")).isEqualTo(key);
        assertThat(key.toString()).doesNotContain(key.encoded());
        assertThatThrownBy(() -> FernetKey.parse("c2hvcnQ=")).isInstanceOf(IllegalArgumentException.class);
    }

    private static String resign(byte[] token, FernetKey key) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(key.signingKey());
        mac.update(token, 0, token.length - 32);
        mac.doFinal(token, token.length - 32);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }
}
