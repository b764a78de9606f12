package org.nubes.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/** Image data through HTTP: upload, download, ranges, failures, races, staging and import, deactivation. */
class ImageDataTest {
    /** Small enough to exceed in a test; the defaults stay for everything else. */
    private static final long MAX_IMAGE = 1 << 20;

    private static final SpyBackend.Counter spy = new SpyBackend.Counter();
    private static ImageTestServer server;
    private static ApiClient admin;
    private static ImageTestServer.Project owner;

    @BeforeAll
    static void start() {
        server = new ImageTestServer(Map.of("image.max_image_bytes", Long.toString(MAX_IMAGE)),
                backend -> new SpyBackend(backend, spy));
        admin = server.admin();
        owner = server.project("data-owner", "member");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    private static JsonNode show(String id) {
        return owner.client().get("/v2/images/" + id).json();
    }

    private static String activeImage(byte[] data) {
        String id = ImageTestServer.createImage(owner.client(), "data", null);
        assertThat(server.upload(owner.client(), id, data).statusCode()).isEqualTo(204);
        return id;
    }

    @Test
    void uploadThenDownloadGivesTheSameBytesAndChecksums() throws Exception {
        byte[] data = random(300_001, 1);
        String id = ImageTestServer.createImage(owner.client(), "roundtrip", null);
        assertThat(server.download(owner.client(), id).statusCode()).as("no data yet").isEqualTo(204);

        HttpResponse<String> put = server.upload(owner.client(), id, data);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(204);

        JsonNode image = show(id);
        assertThat(image.path("status").asText()).isEqualTo("active");
        assertThat(image.path("size").asLong()).isEqualTo(data.length);
        assertThat(image.path("checksum").asText()).isEqualTo(hex("MD5", data));
        assertThat(image.path("os_hash_algo").asText()).isEqualTo("sha512");
        assertThat(image.path("os_hash_value").asText()).isEqualTo(hex("SHA-512", data));

        HttpResponse<byte[]> get = server.download(owner.client(), id);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(get.headers().firstValue("Content-MD5")).hasValue(hex("MD5", data));
        assertThat(get.body()).isEqualTo(data);

        // The data goes out as stored, never compressed on the way (Content-MD5 and Range name the stored bytes).
        HttpResponse<byte[]> gzipAsked = server.download(owner.client(), id, "Accept-Encoding", "gzip");
        assertThat(gzipAsked.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(gzipAsked.body()).isEqualTo(data);

        // Data once stored cannot be replaced.
        assertThat(server.upload(owner.client(), id, random(10, 2)).statusCode()).isEqualTo(409);
        assertThat(server.download(owner.client(), id).body()).isEqualTo(data);
    }

    @Test
    void rangesAnswer206And416() {
        byte[] data = random(1000, 3);
        String id = activeImage(data);

        HttpResponse<byte[]> middle = server.download(owner.client(), id, "Range", "bytes=100-199");
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.headers().firstValue("Content-Range")).hasValue("bytes 100-199/1000");
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(data, 100, 200));

        HttpResponse<byte[]> tail = server.download(owner.client(), id, "Range", "bytes=-10");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(data, 990, 1000));

        HttpResponse<byte[]> open = server.download(owner.client(), id, "Range", "bytes=900-");
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(data, 900, 1000));

        HttpResponse<byte[]> beyond = server.download(owner.client(), id, "Range", "bytes=1000-1100");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */1000");
    }

    @Test
    void uploadLargerThanAllowedIsKilledWith413AndLeavesNoData() throws IOException {
        String id = ImageTestServer.createImage(owner.client(), "too-big", null);
        HttpResponse<String> put = server.upload(owner.client(), id, random((int) MAX_IMAGE + 1, 4));
        assertThat(put.statusCode()).isEqualTo(413);
        assertThat(Json.parse(put.body().getBytes()).path("code").asInt()).isEqualTo(413);
        JsonNode image = show(id);
        assertThat(image.path("status").asText()).isEqualTo("killed");
        assertThat(image.path("size").isNull()).isTrue();
        assertThat(server.download(owner.client(), id).statusCode()).isEqualTo(204);
        try (var files = Files.list(server.storeDir())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(id));
        }
    }

    @Test
    void brokenConnectionKillsTheImage() throws Exception {
        String id = ImageTestServer.createImage(owner.client(), "broken", null);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "X-Auth-Token: " + owner.client().token() + "\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(random(5000, 5));
            out.flush();
            waitForStatus(id, "saving");
        }
        waitForStatus(id, "killed");
        assertThat(server.download(owner.client(), id).statusCode()).isEqualTo(204);
    }

    @Test
    void ofTwoConcurrentUploadsOneWinsAndTheOtherGets409() throws Exception {
        String id = ImageTestServer.createImage(owner.client(), "race", null);
        byte[] winner = random(200_000, 6);
        CountDownLatch release = new CountDownLatch(1);
        // The first upload sends half its data, then waits until the second has been answered.
        InputStream slow = new InputStream() {
            private int pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos == winner.length / 2) {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                int limit = pos < winner.length / 2 ? winner.length / 2 : winner.length;
                if (pos >= limit) {
                    return -1;
                }
                int n = Math.min(len, limit - pos);
                System.arraycopy(winner, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> server.putData(
                owner.client(), "/v2/images/" + id + "/file", HttpRequest.BodyPublishers.ofInputStream(() -> slow)));
        waitForStatus(id, "saving");
        HttpResponse<String> second = server.upload(owner.client(), id, random(1000, 7));
        release.countDown();
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
        assertThat(server.download(owner.client(), id).body()).isEqualTo(winner);
    }

    @Test
    void uploadNeedsFormatsAndOctetStream() {
        String id = owner.client().post("/v2/images", Json.object().put("name", "no-formats")).json().path("id").asText();
        assertThat(server.upload(owner.client(), id, random(10, 8)).statusCode()).isEqualTo(400);
        assertThat(show(id).path("status").asText()).isEqualTo("queued");
        assertThat(owner.client().put("/v2/images/" + id + "/file", "{}").status()).isEqualTo(415);
    }

    @Test
    void stageThenImportGlanceDirectActivates() throws Exception {
        byte[] data = random(70_000, 9);
        String id = ImageTestServer.createImage(owner.client(), "imported", null);
        ApiClient.Response early = owner.client().post("/v2/images/" + id + "/import", glanceDirect());
        assertThat(early.status()).isEqualTo(409);

        HttpResponse<String> staged = server.putData(owner.client(), "/v2/images/" + id + "/stage",
                HttpRequest.BodyPublishers.ofByteArray(data));
        assertThat(staged.statusCode()).as(staged.body()).isEqualTo(204);
        JsonNode uploading = show(id);
        assertThat(uploading.path("status").asText()).isEqualTo("uploading");
        assertThat(uploading.path("size").asLong()).isEqualTo(data.length);
        assertThat(uploading.path("checksum").isNull()).as("no checksum before the import").isTrue();
        Path stagedFile = server.storeDir().resolve(id + ".staging");
        Object inode = Files.getAttribute(stagedFile, "unix:ino");
        int putsBefore = spy.puts.get();

        ApiClient.Response web = owner.client().post("/v2/images/" + id + "/import",
                Json.object().set("method", Json.object().put("name", "web-download").put("uri", "http://example.com/x")));
        assertThat(web.status()).isEqualTo(400);
        assertThat(web.json().path("message").asText()).contains("network");

        ApiClient.Response imported = owner.client().post("/v2/images/" + id + "/import", glanceDirect());
        assertThat(imported.status()).as(imported.text()).isEqualTo(202);
        JsonNode image = show(id);
        assertThat(image.path("status").asText()).isEqualTo("active");
        assertThat(image.path("size").asLong()).isEqualTo(data.length);
        assertThat(image.path("checksum").asText()).isEqualTo(hex("MD5", data));
        assertThat(image.path("os_hash_algo").asText()).isEqualTo("sha512");
        assertThat(image.path("os_hash_value").asText()).isEqualTo(hex("SHA-512", data));
        assertThat(server.download(owner.client(), id).body()).isEqualTo(data);
        // No second copy: nothing was written, the staged file is the image's file now.
        assertThat(spy.puts.get()).isEqualTo(putsBefore);
        assertThat(Files.getAttribute(server.storeDir().resolve(id), "unix:ino")).isEqualTo(inode);
        assertThat(stagedFile).doesNotExist();
        assertThat(owner.client().post("/v2/images/" + id + "/import", glanceDirect()).status()).isEqualTo(409);
    }

    @Test
    void aFailedImportGoesBackToQueuedKeepsTheStagedDataAndCanBeStagedAgain() throws Exception {
        String id = ImageTestServer.createImage(owner.client(), "failing-import", null);
        byte[] first = random(5000, 14);
        assertThat(server.putData(owner.client(), "/v2/images/" + id + "/stage",
                HttpRequest.BodyPublishers.ofByteArray(first)).statusCode()).isEqualTo(204);
        Path stagedFile = server.storeDir().resolve(id + ".staging");

        spy.failMoves.set(true);
        try {
            ApiClient.Response failed = owner.client().post("/v2/images/" + id + "/import", glanceDirect());
            assertThat(failed.status()).isEqualTo(500);
        } finally {
            spy.failMoves.set(false);
        }
        // As Glance reverts a failed import: queued, no data; the staged data stays in staging.
        JsonNode queued = show(id);
        assertThat(queued.path("status").asText()).isEqualTo("queued");
        assertThat(queued.path("size").isNull()).isTrue();
        assertThat(queued.path("checksum").isNull()).isTrue();
        assertThat(server.download(owner.client(), id).statusCode()).isEqualTo(204);
        assertThat(server.storeDir().resolve(id)).doesNotExist();
        assertThat(stagedFile).exists();

        byte[] second = random(7000, 15);
        assertThat(server.putData(owner.client(), "/v2/images/" + id + "/stage",
                HttpRequest.BodyPublishers.ofByteArray(second)).statusCode()).isEqualTo(204);
        assertThat(owner.client().post("/v2/images/" + id + "/import", glanceDirect()).status()).isEqualTo(202);
        JsonNode active = show(id);
        assertThat(active.path("status").asText()).isEqualTo("active");
        assertThat(active.path("size").asLong()).isEqualTo(second.length);
        assertThat(active.path("os_hash_value").asText()).isEqualTo(hex("SHA-512", second));
        assertThat(server.download(owner.client(), id).body()).isEqualTo(second);
        assertThat(stagedFile).doesNotExist();
    }

    private static JsonNode glanceDirect() {
        return Json.object().set("method", Json.object().put("name", "glance-direct"));
    }

    @Test
    void importNeedsFormatsAndStagedData() {
        String id = owner.client().post("/v2/images", Json.object().put("name", "formatless")).json().path("id").asText();
        assertThat(server.putData(owner.client(), "/v2/images/" + id + "/stage",
                HttpRequest.BodyPublishers.ofByteArray(random(100, 13))).statusCode()).isEqualTo(204);
        ApiClient.Response refused = owner.client().post("/v2/images/" + id + "/import", glanceDirect());
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().path("message").asText()).contains("container_format");
        assertThat(show(id).path("status").asText()).isEqualTo("uploading");
        assertThat(owner.client().post("/v2/images/" + id + "/import",
                Json.object().set("method", Json.object().put("name", "teleport"))).status()).isEqualTo(400);
        assertThat(owner.client().post("/v2/images/" + id + "/import", Json.object()).status()).isEqualTo(400);
        // Staging twice is refused: the image is no longer queued.
        assertThat(server.putData(owner.client(), "/v2/images/" + id + "/stage",
                HttpRequest.BodyPublishers.ofByteArray(random(100, 13))).statusCode()).isEqualTo(409);
    }

    @Test
    void deactivatedImagesCannotBeDownloadedExceptByAdmin() {
        byte[] data = random(500, 10);
        String id = activeImage(data);
        String deactivate = "/v2/images/" + id + "/actions/deactivate";
        assertThat(owner.client().post(deactivate, null).status()).isEqualTo(204);
        assertThat(owner.client().post(deactivate, null).status()).isEqualTo(204);
        assertThat(show(id).path("status").asText()).isEqualTo("deactivated");
        assertThat(server.download(owner.client(), id).statusCode()).isEqualTo(403);
        assertThat(server.download(admin, id).body()).isEqualTo(data);
        assertThat(owner.client().post("/v2/images/" + id + "/actions/reactivate", null).status()).isEqualTo(204);
        assertThat(server.download(owner.client(), id).body()).isEqualTo(data);

        String queued = ImageTestServer.createImage(owner.client(), "queued", null);
        assertThat(owner.client().post("/v2/images/" + queued + "/actions/deactivate", null).status()).isEqualTo(403);
    }

    @Test
    void deleteRemovesTheData() throws IOException {
        String id = activeImage(random(100, 11));
        assertThat(owner.client().delete("/v2/images/" + id).status()).isEqualTo(204);
        try (var files = Files.list(server.storeDir())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(id));
        }
    }

    @Test
    void downloadStreamsWithoutTheWholeImageInMemory() throws Exception {
        byte[] data = random((int) MAX_IMAGE, 12);
        String id = activeImage(data);
        HttpResponse<InputStream> r = server.downloadStream(owner.client(), id);
        assertThat(r.headers().firstValue("Content-Length")).hasValue(Long.toString(data.length));
        try (InputStream in = r.body()) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    private static void waitForStatus(String id, String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!show(id).path("status").asText().equals(status)) {
            assertThat(System.nanoTime()).as("image %s reaches %s (now %s)", id, status, show(id).path("status").asText())
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
