package org.nubes.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
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
}
