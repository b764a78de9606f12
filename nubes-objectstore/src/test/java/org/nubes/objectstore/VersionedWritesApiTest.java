package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.objectstore.ObjectStoreTestServer.header;
import static org.nubes.objectstore.ObjectStoreTestServer.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nubes.core.json.Json;
import org.nubes.objectstore.ObjectStoreTestServer.Client;

/** Legacy object versioning: X-Versions-Location (stack) and X-History-Location (history). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VersionedWritesApiTest {
    private ObjectStoreTestServer server;
    private Client alice;

    @BeforeAll
    void start() {
        server = new ObjectStoreTestServer();
        alice = server.project("versions", "member");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private JsonNode list(String container) {
        return Json.parse(alice.get("/" + container + "?format=json").body());
    }

    @Test
    void stackModeKeepsOverwrittenVersionsAndDeleteRestoresThem() {
        assertThat(alice.put("/stack-archive", null).statusCode()).isEqualTo(201);
        assertThat(alice.put("/stack", null, "X-Versions-Location", "stack-archive").statusCode()).isEqualTo(201);
        assertThat(header(alice.head("/stack"), "X-Versions-Location")).isEqualTo("stack-archive");

        alice.put("/stack/doc", utf8("v1"), "X-Object-Meta-Rev", "1");
        alice.put("/stack/doc", utf8("v2"), "X-Object-Meta-Rev", "2");
        alice.put("/stack/doc", utf8("v3"));
        JsonNode archived = list("stack-archive");
        assertThat(archived).hasSize(2);
        assertThat(archived.get(0).path("name").asText()).startsWith("003doc/");
        assertThat(text(alice.get("/stack/doc"))).isEqualTo("v3");
        assertThat(text(alice.get("/stack-archive/" + archived.get(0).path("name").asText()))).isEqualTo("v1");

        assertThat(alice.delete("/stack/doc").statusCode()).isEqualTo(204);
        HttpResponse<byte[]> restored = alice.get("/stack/doc");
        assertThat(text(restored)).isEqualTo("v2");
        assertThat(header(restored, "X-Object-Meta-Rev")).isEqualTo("2");
        assertThat(list("stack-archive")).hasSize(1);
        assertThat(alice.delete("/stack/doc").statusCode()).isEqualTo(204);
        assertThat(text(alice.get("/stack/doc"))).isEqualTo("v1");
        assertThat(alice.delete("/stack/doc").statusCode()).isEqualTo(204);
        assertThat(alice.head("/stack/doc").statusCode()).isEqualTo(404);
        assertThat(alice.delete("/stack/doc").statusCode()).isEqualTo(404);

        // Removed through POST: overwrites no longer archive.
        assertThat(alice.post("/stack", "X-Remove-Versions-Location", "x").statusCode()).isEqualTo(204);
        assertThat(header(alice.head("/stack"), "X-Versions-Location")).isNull();
        alice.put("/stack/doc", utf8("a"));
        alice.put("/stack/doc", utf8("b"));
        assertThat(alice.get("/stack-archive").statusCode()).isEqualTo(204);
    }

    @Test
    void historyModeArchivesOnDeleteAndLeavesAMarker() {
        alice.put("/history-archive", null);
        alice.put("/history", null);
        assertThat(alice.post("/history", "X-History-Location", "history-archive").statusCode()).isEqualTo(204);
        assertThat(header(alice.head("/history"), "X-History-Location")).isEqualTo("history-archive");

        alice.put("/history/log", utf8("one"));
        alice.put("/history/log", utf8("two"));
        assertThat(list("history-archive")).hasSize(1);
        assertThat(alice.delete("/history/log").statusCode()).isEqualTo(204);
        assertThat(alice.head("/history/log").statusCode()).isEqualTo(404);
        JsonNode archived = list("history-archive");
        assertThat(archived).hasSize(3);
        assertThat(archived.get(2).path("content_type").asText()).isEqualTo("application/x-deleted;swift_versions_deleted=1");
        assertThat(archived.get(2).path("bytes").asLong()).isZero();
        assertThat(text(alice.get("/history-archive/" + archived.get(1).path("name").asText()))).isEqualTo("two");

        // Setting one location clears the other; both at once is refused.
        assertThat(alice.post("/history", "X-Versions-Location", "history-archive").statusCode()).isEqualTo(204);
        HttpResponse<byte[]> head = alice.head("/history");
        assertThat(header(head, "X-Versions-Location")).isEqualTo("history-archive");
        assertThat(header(head, "X-History-Location")).isNull();
        HttpResponse<byte[]> both = alice.post("/history", "X-Versions-Location", "a", "X-History-Location", "b");
        assertThat(both.statusCode()).isEqualTo(400);
    }

    @Test
    void infoListsVersionedWrites() {
        HttpResponse<byte[]> r = alice.send(HttpRequest.newBuilder(URI.create(server.url() + "/info")).GET().build());
        assertThat(Json.parse(r.body()).path("versioned_writes").path("allowed_flags").toString())
                .contains("x-versions-location").contains("x-history-location");
    }
}
