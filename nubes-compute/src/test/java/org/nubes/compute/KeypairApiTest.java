package org.nubes.compute;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.ApiSamples;

/** Key pairs through HTTP: generate, import, show, list, delete, per microversion; isolation and quota. */
class KeypairApiTest {
    /** The RSA public key of Nova's own import sample, and the fingerprint Nova shows for it. */
    static final String NOVA_SAMPLE_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5aYd44bd8"
            + "JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9J"
            + "D9UZHYcpSxsIbECHw== Generated-by-Nova";
    static final String ED25519_KEY =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtlvr7sUoY1238F+AQl0jznfanJn31W5PKxQ8w/sVsJ test@nubes";
    static final String ED25519_FINGERPRINT = "d6:e4:f2:47:e7:fd:a4:78:f5:2b:17:7b:92:b6:08:21";
    private static final int QUOTA = 4;

    private static ComputeTestServer cloud;
    private static ApiClient admin;
    private static ComputeTestServer.Project alpha;
    private static ComputeTestServer.Project beta;

    @BeforeAll
    static void start() {
        cloud = new ComputeTestServer(Map.of("compute.quota_key_pairs", String.valueOf(QUOTA)));
        admin = cloud.admin();
        alpha = cloud.project("keypair-alpha", "member");
        beta = cloud.project("keypair-beta", "member");
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static ApiClient.Response send(ApiClient client, String method, String path, Object body, String version) {
        return client.send(method, path, body, "OpenStack-API-Version", "compute " + version);
    }

    private static ObjectNode keypair(String name, String publicKey) {
        ObjectNode body = Json.object();
        ObjectNode k = body.putObject("keypair").put("name", name);
        if (publicKey != null) {
            k.put("public_key", publicKey);
        }
        return body;
    }

    private static String md5Fingerprint(String publicKey) throws Exception {
        byte[] blob = Base64.getDecoder().decode(publicKey.split(" ")[1]);
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(blob));
        return String.join(":", hex.split("(?<=\\G..)"));
    }

    @Test
    void generatedKeysComeWithAPrivateKeySshKeygenReads() throws Exception {
        ApiClient.Response v21 = send(alpha.client(), "POST", "/v2.1/os-keypairs", keypair("gen-21", null), "2.1");
        assertThat(v21.status()).as(v21.text()).isEqualTo(200);
        ApiSamples.assertMatches("compute/keypair-create-v2.1", v21.json());
        JsonNode made = v21.json().path("keypair");
        assertThat(made.path("user_id").asText()).isEqualTo(alpha.userId());
        String publicKey = made.path("public_key").asText();
        assertThat(publicKey).startsWith("ssh-rsa AAAA").endsWith(" Generated-by-Nova");
        assertThat(made.path("fingerprint").asText()).isEqualTo(md5Fingerprint(publicKey));
        String privateKey = made.path("private_key").asText();
        assertThat(privateKey).startsWith("-----BEGIN RSA PRIVATE KEY-----\n").endsWith("-----END RSA PRIVATE KEY-----\n");
        assertSshKeygenDerives(privateKey, publicKey);

        ApiClient.Response v22 = send(alpha.client(), "POST", "/v2.1/os-keypairs", keypair("gen-22", null), "2.2");
        assertThat(v22.status()).isEqualTo(201);
        ApiSamples.assertMatches("compute/keypair-create-v2.2", v22.json());

        // The private key is never shown again.
        ApiClient.Response shown = send(alpha.client(), "GET", "/v2.1/os-keypairs/gen-22", null, "2.2");
        ApiSamples.assertMatches("compute/keypair-show-v2.2", shown.json());
        assertThat(shown.json().path("keypair").path("public_key").asText())
                .isEqualTo(v22.json().path("keypair").path("public_key").asText());
        ApiSamples.assertMatches("compute/keypair-show-v2.1",
                send(alpha.client(), "GET", "/v2.1/os-keypairs/gen-21", null, "2.1").json());
        assertThat(shown.json().path("keypair").path("id").isIntegralNumber()).isTrue();

        assertThat(send(alpha.client(), "DELETE", "/v2.1/os-keypairs/gen-21", null, "2.1").status()).isEqualTo(202);
        assertThat(send(alpha.client(), "DELETE", "/v2.1/os-keypairs/gen-22", null, "2.2").status()).isEqualTo(204);
        ApiClient.Response gone = alpha.client().get("/v2.1/os-keypairs/gen-22");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("itemNotFound").path("message").asText())
                .isEqualTo("Keypair gen-22 not found for user " + alpha.userId());
        assertThat(alpha.client().delete("/v2.1/os-keypairs/gen-22").status()).isEqualTo(404);
    }

    /** When ssh-keygen is installed, it must derive the same public key from the private one. */
    private static void assertSshKeygenDerives(String privateKey, String publicKey) throws Exception {
        Path keygen = Path.of("/usr/bin/ssh-keygen");
        if (!Files.isExecutable(keygen)) {
            return;
        }
        Path dir = Files.createTempDirectory("nubes-keypair-test");
        Path file = dir.resolve("id_rsa");
        try {
            Files.writeString(file, privateKey);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Process process = new ProcessBuilder(keygen.toString(), "-y", "-f", file.toString()).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(out).isZero();
            String[] derived = out.strip().split(" ");
            assertThat(derived[0] + " " + derived[1]).isEqualTo(publicKey.substring(0, publicKey.lastIndexOf(' ')));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void importedKeysKeepTheirTextAndGetNovasFingerprint() throws IOException {
        ObjectNode rsa = keypair("imported-rsa", NOVA_SAMPLE_KEY);
        ((ObjectNode) rsa.path("keypair")).put("type", "ssh");
        ApiClient.Response made = send(beta.client(), "POST", "/v2.1/os-keypairs", rsa, "2.10");
        assertThat(made.status()).as(made.text()).isEqualTo(201);
        ApiSamples.assertMatches("compute/keypair-import-v2.10", made.json());

        ApiClient.Response ed = send(beta.client(), "POST", "/v2.1/os-keypairs", keypair("imported-ed25519", ED25519_KEY), "2.2");
        assertThat(ed.status()).as(ed.text()).isEqualTo(201);
        assertThat(ed.json().path("keypair").path("fingerprint").asText()).isEqualTo(ED25519_FINGERPRINT);
        assertThat(ed.json().path("keypair").has("private_key")).isFalse();
        assertThat(beta.client().get("/v2.1/os-keypairs/imported-ed25519").json().path("keypair").path("public_key").asText())
                .isEqualTo(ED25519_KEY);

        for (String bad : List.of("not a key", "ssh-rsa", "ssh-rsa AAAA!!!!", "ssh-rsa " + Base64.getEncoder()
                .encodeToString("garbage".getBytes(StandardCharsets.UTF_8)), ED25519_KEY.replace("ssh-ed25519", "ssh-rsa"), "")) {
            ApiClient.Response r = beta.client().post("/v2.1/os-keypairs", keypair("bad-key", bad));
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().path("badRequest").path("message").asText())
                    .isEqualTo("Keypair data is invalid: failed to generate fingerprint");
        }
        assertThat(beta.client().get("/v2.1/os-keypairs/bad-key").status()).isEqualTo(404);

        ApiClient.Response duplicate = beta.client().post("/v2.1/os-keypairs", keypair("imported-rsa", ED25519_KEY));
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().path("conflictingRequest").path("message").asText())
                .isEqualTo("Key pair 'imported-rsa' already exists.");
        assertThat(beta.client().delete("/v2.1/os-keypairs/imported-rsa").status()).isEqualTo(202);
        assertThat(beta.client().delete("/v2.1/os-keypairs/imported-ed25519").status()).isEqualTo(202);
    }

    @Test
    void x509CertificatesAreImportedWithTheirSha1Fingerprint() throws Exception {
        String pem = new String(KeypairApiTest.class.getResourceAsStream("/samples/compute/keypair-x509-cert.pem").readAllBytes(),
                StandardCharsets.US_ASCII);
        ObjectNode body = keypair("cert", pem);
        ((ObjectNode) body.path("keypair")).put("type", "x509");
        ApiClient.Response made = send(beta.client(), "POST", "/v2.1/os-keypairs", body, "2.2");
        assertThat(made.status()).as(made.text()).isEqualTo(201);
        assertThat(made.json().path("keypair").path("type").asText()).isEqualTo("x509");
        assertThat(made.json().path("keypair").path("fingerprint").asText())
                .isEqualTo("46:ad:88:b6:af:6d:a6:49:a8:0a:6d:0e:44:c4:91:c8:49:8e:01:e2");
        ((ObjectNode) body.path("keypair")).put("name", "not-a-cert").put("public_key", ED25519_KEY);
        assertThat(send(beta.client(), "POST", "/v2.1/os-keypairs", body, "2.2").status()).isEqualTo(400);
        // The type is not part of the request (nor of the views) before 2.2.
        assertThat(send(beta.client(), "POST", "/v2.1/os-keypairs", body, "2.1").status()).isEqualTo(400);
        ApiSamples.assertMatches("compute/keypair-list-v2.1", send(beta.client(), "GET", "/v2.1/os-keypairs", null, "2.1").json());
        assertThat(beta.client().delete("/v2.1/os-keypairs/cert").status()).isEqualTo(202);
    }

    @Test
    void generatedX509PairsAreACertificateAndAPkcs12() throws Exception {
        ObjectNode body = keypair("winrm", null);
        ((ObjectNode) body.path("keypair")).put("type", "x509");
        ApiClient.Response made = send(beta.client(), "POST", "/v2.1/os-keypairs", body, "2.2");
        assertThat(made.status()).as(made.text()).isEqualTo(201);
        JsonNode k = made.json().path("keypair");
        assertThat(k.path("type").asText()).isEqualTo("x509");
        String pem = k.path("public_key").asText();
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        var cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        cert.verify(cert.getPublicKey());
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=" + beta.userId());
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        String sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        assertThat(k.path("fingerprint").asText().replace(":", "")).isEqualTo(sha1);
        java.security.KeyStore p12 = java.security.KeyStore.getInstance("PKCS12");
        p12.load(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(k.path("private_key").asText())), new char[0]);
        String alias = p12.aliases().nextElement();
        assertThat(p12.getKey(alias, new char[0])).isNotNull();
        assertThat(p12.getCertificate(alias)).isEqualTo(cert);
        assertThat(beta.client().delete("/v2.1/os-keypairs/winrm").status()).isEqualTo(202);
    }

    @Test
    void badNamesAndBodiesAre400() {
        for (String name : List.of("", " leading", "trailing ", "dots.are.not.allowed", "slash/name", "x".repeat(256), "ünï")) {
            ApiClient.Response r = alpha.client().post("/v2.1/os-keypairs", keypair(name, ED25519_KEY));
            assertThat(r.status()).as("name '%s': %s", name, r.text()).isEqualTo(400);
        }
        assertThat(alpha.client().post("/v2.1/os-keypairs", Json.object().put("name", "x")).status()).isEqualTo(400);
        ObjectNode withUser = keypair("with-user", ED25519_KEY);
        ((ObjectNode) withUser.path("keypair")).put("user_id", alpha.userId());
        assertThat(send(alpha.client(), "POST", "/v2.1/os-keypairs", withUser, "2.9").status()).isEqualTo(400);
        ObjectNode badType = keypair("bad-type", ED25519_KEY);
        ((ObjectNode) badType.path("keypair")).put("type", "pgp");
        assertThat(send(alpha.client(), "POST", "/v2.1/os-keypairs", badType, "2.2").status()).isEqualTo(400);
        ObjectNode numberName = Json.object();
        numberName.putObject("keypair").put("name", 5);
        assertThat(alpha.client().post("/v2.1/os-keypairs", numberName).status()).isEqualTo(400);
        // Names with spaces, dashes and underscores are fine.
        ApiClient.Response spaced = alpha.client().post("/v2.1/os-keypairs", keypair("my key_1-a", ED25519_KEY));
        assertThat(spaced.status()).as(spaced.text()).isEqualTo(200);
        assertThat(alpha.client().delete("/v2.1/os-keypairs/my%20key_1-a").status()).isEqualTo(202);
    }

    @Test
    void usersNeverSeeEachOthersKeyPairs() {
        ComputeTestServer.Project gamma = cloud.project("keypair-gamma", "member");
        ComputeTestServer.Project delta = cloud.project("keypair-delta", "member");
        assertThat(gamma.client().post("/v2.1/os-keypairs", keypair("shared-name", NOVA_SAMPLE_KEY)).status()).isEqualTo(200);
        assertThat(delta.client().post("/v2.1/os-keypairs", keypair("shared-name", ED25519_KEY)).status()).isEqualTo(200);

        JsonNode gammaList = gamma.client().get("/v2.1/os-keypairs").json().path("keypairs");
        assertThat(gammaList).hasSize(1);
        assertThat(gammaList.get(0).path("keypair").path("public_key").asText()).isEqualTo(NOVA_SAMPLE_KEY);
        assertThat(delta.client().get("/v2.1/os-keypairs/shared-name").json().path("keypair").path("public_key").asText())
                .isEqualTo(ED25519_KEY);

        // Another user's pairs: 403 with user_id (2.10+), and user_id means nothing before 2.10.
        ApiClient.Response peek = send(delta.client(), "GET", "/v2.1/os-keypairs?user_id=" + gamma.userId(), null, "2.10");
        assertThat(peek.status()).isEqualTo(403);
        assertThat(send(delta.client(), "GET", "/v2.1/os-keypairs/shared-name?user_id=" + gamma.userId(), null, "2.10")
                .status()).isEqualTo(403);
        assertThat(send(delta.client(), "DELETE", "/v2.1/os-keypairs/shared-name?user_id=" + gamma.userId(), null, "2.10")
                .status()).isEqualTo(403);
        JsonNode old = send(delta.client(), "GET", "/v2.1/os-keypairs/shared-name?user_id=" + gamma.userId(), null, "2.9")
                .json().path("keypair");
        assertThat(old.path("user_id").asText()).isEqualTo(delta.userId());
        ObjectNode forGamma = keypair("planted", ED25519_KEY);
        ((ObjectNode) forGamma.path("keypair")).put("user_id", gamma.userId());
        assertThat(send(delta.client(), "POST", "/v2.1/os-keypairs", forGamma, "2.10").status()).isEqualTo(403);

        // An admin acts for any user from 2.10.
        ApiClient.Response planted = send(admin, "POST", "/v2.1/os-keypairs", forGamma, "2.10");
        assertThat(planted.status()).as(planted.text()).isEqualTo(201);
        assertThat(planted.json().path("keypair").path("user_id").asText()).isEqualTo(gamma.userId());
        JsonNode asAdmin = send(admin, "GET", "/v2.1/os-keypairs?user_id=" + gamma.userId(), null, "2.10").json();
        assertThat(asAdmin.path("keypairs")).hasSize(2);
        assertThat(send(admin, "GET", "/v2.1/os-keypairs/planted?user_id=" + gamma.userId(), null, "2.10").status())
                .isEqualTo(200);
        assertThat(send(admin, "DELETE", "/v2.1/os-keypairs/planted?user_id=" + gamma.userId(), null, "2.10").status())
                .isEqualTo(204);
        assertThat(admin.get("/v2.1/os-keypairs").json().path("keypairs").toString()).doesNotContain("shared-name");
    }

    @Test
    void listsArePagedFrom235() {
        ComputeTestServer.Project pager = cloud.project("keypair-pager", "member");
        for (String name : List.of("k-c", "k-a", "k-b")) {
            assertThat(pager.client().post("/v2.1/os-keypairs", keypair(name, ED25519_KEY)).status()).isEqualTo(200);
        }
        JsonNode all = send(pager.client(), "GET", "/v2.1/os-keypairs", null, "2.35").json();
        assertThat(names(all)).containsExactly("k-a", "k-b", "k-c");
        assertThat(all.has("keypairs_links")).isFalse();

        JsonNode first = send(pager.client(), "GET", "/v2.1/os-keypairs?limit=2", null, "2.35").json();
        ApiSamples.assertMatches("compute/keypair-list-v2.35", first);
        assertThat(names(first)).containsExactly("k-a", "k-b");
        String next = first.path("keypairs_links").get(0).path("href").asText();
        assertThat(next).isEqualTo(cloud.url() + "/v2.1/os-keypairs?limit=2&marker=k-b");
        JsonNode second = send(pager.client(), "GET", next.substring(cloud.url().length()), null, "2.35").json();
        assertThat(names(second)).containsExactly("k-c");

        // Before 2.35 limit and marker mean nothing.
        ApiSamples.assertMatches("compute/keypair-list-v2.2",
                send(pager.client(), "GET", "/v2.1/os-keypairs?limit=1", null, "2.34").json());
        assertThat(names(send(pager.client(), "GET", "/v2.1/os-keypairs?limit=1", null, "2.34").json())).hasSize(3);
        ApiClient.Response badMarker = send(pager.client(), "GET", "/v2.1/os-keypairs?marker=nope", null, "2.35");
        assertThat(badMarker.status()).isEqualTo(400);
        assertThat(badMarker.json().path("badRequest").path("message").asText()).isEqualTo("Marker nope could not be found.");
        assertThat(send(pager.client(), "GET", "/v2.1/os-keypairs?limit=x", null, "2.35").status()).isEqualTo(400);
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.path("keypairs").forEach(k -> names.add(k.path("keypair").path("name").asText()));
        return names;
    }

    @Test
    void theKeyPairQuotaHoldsUnderConcurrentCreates() throws Exception {
        ComputeTestServer.Project crowd = cloud.project("keypair-crowd", "member");
        int attempts = 12;
        List<Future<ApiClient.Response>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(attempts)) {
            for (int i = 0; i < attempts; i++) {
                ObjectNode body = keypair("crowd-" + i, ED25519_KEY);
                answers.add(pool.submit((Callable<ApiClient.Response>) () -> crowd.client().post("/v2.1/os-keypairs", body)));
            }
        }
        int created = 0;
        for (Future<ApiClient.Response> answer : answers) {
            ApiClient.Response r = answer.get();
            if (r.status() == 200) {
                created++;
            } else {
                assertThat(r.status()).as(r.text()).isEqualTo(403);
                assertThat(r.json().path("forbidden").path("message").asText()).isEqualTo("Quota exceeded, too many key pairs.");
            }
        }
        assertThat(created).isEqualTo(QUOTA);
        assertThat(crowd.client().get("/v2.1/os-keypairs").json().path("keypairs")).hasSize(QUOTA);
        // Generating is refused too, and deleting one makes room again.
        assertThat(crowd.client().post("/v2.1/os-keypairs", keypair("one-more", null)).status()).isEqualTo(403);
        String any = names(crowd.client().get("/v2.1/os-keypairs").json()).getFirst();
        assertThat(crowd.client().delete("/v2.1/os-keypairs/" + any).status()).isEqualTo(202);
        assertThat(crowd.client().post("/v2.1/os-keypairs", keypair("one-more", null)).status()).isEqualTo(200);
    }

    @Test
    void readersMayListButNotCreate() {
        ComputeTestServer.Project reader = cloud.project("keypair-reader", "reader");
        assertThat(reader.client().get("/v2.1/os-keypairs").status()).isEqualTo(200);
        assertThat(reader.client().post("/v2.1/os-keypairs", keypair("no", ED25519_KEY)).status()).isEqualTo(403);
        assertThat(cloud.anonymous().get("/v2.1/os-keypairs").status()).isEqualTo(401);
    }
}
