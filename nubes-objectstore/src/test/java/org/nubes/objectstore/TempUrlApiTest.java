package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.objectstore.ObjectStoreTestServer.header;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nubes.core.json.Json;
import org.nubes.objectstore.ObjectStoreTestServer.Client;

/** Temporary URLs: anonymous GET, HEAD and PUT while the signature is valid, as Swift's tempurl. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TempUrlApiTest {
    private ObjectStoreTestServer server;
    private Client alice;

    @BeforeAll
    void start() {
        server = new ObjectStoreTestServer();
        alice = server.project("tempurl", "member");
        assertThat(alice.post("", "X-Account-Meta-Temp-URL-Key", "secret-one", "X-Account-Meta-Temp-URL-Key-2", "secret-two")
                .statusCode()).isEqualTo(204);
        alice.put("/shared", null);
        alice.put("/shared/report.txt", "the report".getBytes(StandardCharsets.UTF_8),
                "X-Object-Meta-Private", "hidden", "X-Object-Meta-Public-Note", "shown");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static String hmac(String algorithm, String key, String message) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
        return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    private String signed(String algorithm, String key, String method, long expires, String object) throws Exception {
        String path = alice.account() + object;
        return path + "?temp_url_sig=" + hmac(algorithm, key, method + "\n" + expires + "\n" + path) + "&temp_url_expires=" + expires;
    }

    private HttpResponse<byte[]> anonymous(String method, String pathAndQuery, byte[] body) {
        return alice.send(HttpRequest.newBuilder(URI.create(server.url() + pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    @Test
    void getAndHeadWhileValid() throws Exception {
        long expires = System.currentTimeMillis() / 1000 + 600;
        String url = signed("HmacSHA256", "secret-one", "GET", expires, "/shared/report.txt");
        HttpResponse<byte[]> get = anonymous("GET", url, null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(new String(get.body(), StandardCharsets.UTF_8)).isEqualTo("the report");
        assertThat(header(get, "Content-Disposition")).isEqualTo("attachment; filename=\"report.txt\"; filename*=UTF-8''report.txt");
        assertThat(header(get, "X-Object-Meta-Private")).isNull();
        assertThat(header(get, "X-Object-Meta-Public-Note")).isEqualTo("shown");
        // A GET signature also allows HEAD; the second key works; SHA-1 still works.
        assertThat(anonymous("HEAD", url, null).statusCode()).isEqualTo(200);
        assertThat(anonymous("GET", signed("HmacSHA1", "secret-two", "GET", expires, "/shared/report.txt"), null).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> inline = anonymous("GET", url + "&inline", null);
        assertThat(header(inline, "Content-Disposition")).isEqualTo("inline");

        // Not for another method, another object, another key, or after it expired.
        HttpResponse<byte[]> wrongMethod = anonymous("PUT", url, new byte[1]);
        assertThat(wrongMethod.statusCode()).isEqualTo(401);
        assertThat(new String(wrongMethod.body(), StandardCharsets.UTF_8)).isEqualTo("401 Unauthorized: Temp URL invalid\n");
        assertThat(anonymous("DELETE", url, null).statusCode()).isEqualTo(401);
        assertThat(anonymous("GET", url.replace("report.txt?", "other.txt?"), null).statusCode()).isEqualTo(401);
        assertThat(anonymous("GET", signed("HmacSHA256", "wrong", "GET", expires, "/shared/report.txt"), null).statusCode()).isEqualTo(401);
        long past = System.currentTimeMillis() / 1000 - 1;
        assertThat(anonymous("GET", signed("HmacSHA256", "secret-one", "GET", past, "/shared/report.txt"), null).statusCode()).isEqualTo(401);
        assertThat(anonymous("GET", alice.account() + "/shared/report.txt?temp_url_sig=abc&temp_url_expires=" + expires, null).statusCode())
                .isEqualTo(401);
    }

    @Test
    void putWhileValid() throws Exception {
        long expires = System.currentTimeMillis() / 1000 + 600;
        String url = signed("HmacSHA256", "secret-one", "PUT", expires, "/shared/upload.bin");
        assertThat(anonymous("PUT", url, new byte[] {1, 2, 3}).statusCode()).isEqualTo(201);
        assertThat(alice.get("/shared/upload.bin").body()).containsExactly(1, 2, 3);
        assertThat(anonymous("HEAD", url, null).statusCode()).isEqualTo(200);
        assertThat(anonymous("GET", url, null).statusCode()).isEqualTo(401);
    }

    /** The signature the swift CLI's tempurl command makes is accepted. */
    @Test
    void swiftCliSignature() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/swift"))) {
            return;
        }
        Process p = new ProcessBuilder("/usr/bin/swift", "tempurl", "GET", "600", alice.account() + "/shared/report.txt", "secret-two")
                .redirectErrorStream(true).start();
        String url = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(anonymous("GET", url, null).statusCode()).as(url).isEqualTo(200);
    }

    @Test
    void infoListsTempUrl() {
        HttpResponse<byte[]> r = alice.send(HttpRequest.newBuilder(URI.create(server.url() + "/info")).GET().build());
        assertThat(Json.parse(r.body()).path("tempurl").path("methods").toString()).contains("GET", "HEAD", "PUT");
    }
}
