package org.nubes.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/** Per-project quotas: image count and total bytes, 413 as Glance answers. */
class ImageQuotaTest {
    private static ImageTestServer server;

    @BeforeAll
    static void start() {
        server = new ImageTestServer(Map.of("image.quota_images", "2", "image.quota_bytes", "1000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void imageCountOverQuotaIs413() {
        ImageTestServer.Project p = server.project("quota-count", "member");
        ImageTestServer.createImage(p.client(), "one", null);
        String two = ImageTestServer.createImage(p.client(), "two", null);
        ApiClient.Response third = p.client().post("/v2/images", Json.object().put("name", "three"));
        assertThat(third.status()).isEqualTo(413);
        assertThat(third.json().path("code").asInt()).isEqualTo(413);
        assertThat(p.client().get("/v2/images").json().path("images")).hasSize(2);
        // Deleting one makes room again; another project has its own quota.
        assertThat(p.client().delete("/v2/images/" + two).status()).isEqualTo(204);
        assertThat(p.client().post("/v2/images", Json.object().put("name", "three")).status()).isEqualTo(201);
        ImageTestServer.Project other = server.project("quota-other", "member");
        assertThat(other.client().post("/v2/images", Json.object()).status()).isEqualTo(201);
    }

    @Test
    void bytesOverQuotaAre413AndKillTheUpload() {
        ImageTestServer.Project p = server.project("quota-bytes", "member");
        String first = ImageTestServer.createImage(p.client(), "first", null);
        assertThat(server.upload(p.client(), first, new byte[600]).statusCode()).isEqualTo(204);
        String second = ImageTestServer.createImage(p.client(), "second", null);
        assertThat(server.upload(p.client(), second, new byte[401]).statusCode()).isEqualTo(413);
        assertThat(p.client().get("/v2/images/" + second).json().path("status").asText()).isEqualTo("killed");
        assertThat(p.client().delete("/v2/images/" + second).status()).isEqualTo(204);
        String third = ImageTestServer.createImage(p.client(), "third", null);
        assertThat(server.upload(p.client(), third, new byte[400]).statusCode()).isEqualTo(204);

        var usage = p.client().get("/v2/info/usage").json().path("usage");
        assertThat(usage.path("image_count_total").path("limit").asLong()).isEqualTo(2);
        assertThat(usage.path("image_count_total").path("usage").asLong()).isEqualTo(2);
        // Glance counts sizes in MiB, rounded up: 1000 bytes of data are 1 MiB, a 1000-byte quota 0.
        assertThat(usage.path("image_size_total").path("usage").asLong()).isEqualTo(1);
        assertThat(usage.path("image_size_total").path("limit").asLong()).isZero();
    }

    @Test
    void concurrentUploadsOfOneProjectCannotTogetherExceedTheByteQuota() throws Exception {
        int size = 2 << 20;
        try (ImageTestServer small = new ImageTestServer(Map.of("image.quota_bytes", Integer.toString(3 << 20)));
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<String> winners = new ArrayList<>();
            // With a Content-Length the whole upload is reserved at once; chunked, as the bytes arrive.
            for (boolean withLength : new boolean[] {true, false}) {
                ImageTestServer.Project p = small.project(withLength ? "quota-length" : "quota-chunked", "member");
                List<String> ids = List.of(ImageTestServer.createImage(p.client(), "a", null),
                        ImageTestServer.createImage(p.client(), "b", null));
                // Each body waits half-way until the other has started or been answered (a refused
                // upload may be answered before its body is sent), so the uploads overlap.
                CountDownLatch started = new CountDownLatch(2);
                List<CompletableFuture<HttpResponse<String>>> puts = new ArrayList<>();
                for (String id : ids) {
                    byte[] data = ImageDataTest.random(size, id.hashCode());
                    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofInputStream(
                            () -> new WaitingInputStream(data, started));
                    HttpRequest.BodyPublisher publisher = withLength
                            ? HttpRequest.BodyPublishers.fromPublisher(body, size) : body;
                    puts.add(CompletableFuture.supplyAsync(
                            () -> small.putData(p.client(), "/v2/images/" + id + "/file", publisher), clients)
                            .whenComplete((response, failure) -> started.countDown()));
                }
                List<HttpResponse<String>> responses = new ArrayList<>();
                for (var put : puts) {
                    responses.add(put.get(60, TimeUnit.SECONDS));
                }
                List<Integer> statuses = responses.stream().map(HttpResponse::statusCode).toList();
                assertThat(statuses).as("chunked: %s", !withLength).containsExactlyInAnyOrder(204, 413);
                String winner = ids.get(statuses.indexOf(204));
                String loser = ids.get(statuses.indexOf(413));
                assertThat(Json.parse(responses.get(statuses.indexOf(413)).body().getBytes()).path("code").asInt())
                        .isEqualTo(413);
                assertThat(p.client().get("/v2/images/" + winner).json().path("status").asText()).isEqualTo("active");
                assertThat(p.client().get("/v2/images/" + loser).json().path("status").asText()).isEqualTo("killed");
                winners.add(winner);
            }
            // Nothing partial: no temporary file, no data of the losers.
            try (var files = Files.list(small.storeDir())) {
                assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrderElementsOf(winners);
            }
        }
    }

    /** The data, pausing half-way until the latch (also counted down on the first read) opens. */
    private static final class WaitingInputStream extends InputStream {
        private final byte[] data;
        private final CountDownLatch started;
        private int pos;

        WaitingInputStream(byte[] data, CountDownLatch started) {
            this.data = data;
            this.started = started;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == 0) {
                started.countDown();
            }
            int half = data.length / 2;
            if (pos == half) {
                try {
                    started.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int limit = pos < half ? half : data.length;
            if (pos >= limit) {
                return -1;
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
