package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.objectstore.ObjectStoreTestServer.header;
import static org.nubes.objectstore.ObjectStoreTestServer.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nubes.core.json.Json;
import org.nubes.objectstore.ObjectStoreTestServer.Client;

/** Static and dynamic large objects, container quotas and the COPY method, over HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeObjectsApiTest {
    private ObjectStoreTestServer server;
    private Client alice;

    @BeforeAll
    void start() {
        server = new ObjectStoreTestServer();
        alice = server.project("large", "member");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    private static byte[] bytes(int size, int seed) {
        byte[] data = new byte[size];
        new java.util.Random(seed).nextBytes(data);
        return data;
    }

    @Test
    void staticLargeObject() throws Exception {
        assertThat(alice.put("/slo", null).statusCode()).isEqualTo(201);
        assertThat(alice.put("/slo_segments", null).statusCode()).isEqualTo(201);
        byte[] one = bytes(100_000, 1);
        byte[] two = bytes(70_000, 2);
        byte[] three = bytes(5, 3);
        alice.put("/slo_segments/big/1", one);
        alice.put("/slo_segments/big/2", two);
        alice.put("/slo_segments/big/3", three);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(one);
        all.write(two);
        all.write(three);
        byte[] whole = all.toByteArray();
        String sloEtag = md5((md5(one) + md5(two) + md5(three)).getBytes(StandardCharsets.US_ASCII));
        String manifest = """
                [{"path": "/slo_segments/big/1", "etag": "%s", "size_bytes": 100000},
                 {"path": "/slo_segments/big/2", "etag": null, "size_bytes": null},
                 {"path": "/slo_segments/big/3"}]""".formatted(md5(one));

        HttpResponse<byte[]> put = alice.put("/slo/big?multipart-manifest=put", manifest.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-big", "X-Object-Meta-Kind", "slo");
        assertThat(put.statusCode()).as(text(put)).isEqualTo(201);
        assertThat(header(put, "Etag")).isEqualTo("\"" + sloEtag + "\"");

        HttpResponse<byte[]> head = alice.head("/slo/big");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(header(head, "X-Static-Large-Object")).isEqualTo("True");
        assertThat(header(head, "Content-Length")).isEqualTo(Integer.toString(whole.length));
        assertThat(header(head, "Etag")).isEqualTo("\"" + sloEtag + "\"");
        assertThat(header(head, "Content-Type")).isEqualTo("application/x-big");
        assertThat(header(head, "X-Object-Meta-Kind")).isEqualTo("slo");
        assertThat(head.headers().map().keySet()).noneMatch(k -> k.toLowerCase().contains("sysmeta"));

        JsonNode listed = Json.parse(alice.get("/slo?format=json").body()).get(0);
        assertThat(listed.path("bytes").asLong()).isEqualTo(whole.length);
        assertThat(listed.path("content_type").asText()).isEqualTo("application/x-big");

        HttpResponse<byte[]> get = alice.get("/slo/big");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(whole);

        HttpResponse<byte[]> range = alice.get("/slo/big", "Range", "bytes=99990-100009");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(header(range, "Content-Range")).isEqualTo("bytes 99990-100009/" + whole.length);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(whole, 99990, 100010));
        HttpResponse<byte[]> tail = alice.get("/slo/big", "Range", "bytes=-7");
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(whole, whole.length - 7, whole.length));
        HttpResponse<byte[]> multi = alice.get("/slo/big", "Range", "bytes=0-1,169999-170001");
        assertThat(multi.statusCode()).isEqualTo(206);
        assertThat(header(multi, "Content-Type")).startsWith("multipart/byteranges");

        assertThat(alice.get("/slo/big", "If-None-Match", "\"" + sloEtag + "\"").statusCode()).isEqualTo(304);

        HttpResponse<byte[]> stored = alice.get("/slo/big?multipart-manifest=get");
        assertThat(stored.statusCode()).isEqualTo(200);
        assertThat(header(stored, "Content-Type")).startsWith("application/json");
        JsonNode segments = Json.parse(stored.body());
        assertThat(segments).hasSize(3);
        assertThat(segments.get(0).path("name").asText()).isEqualTo("/slo_segments/big/1");
        assertThat(segments.get(0).path("hash").asText()).isEqualTo(md5(one));
        assertThat(segments.get(1).path("bytes").asLong()).isEqualTo(70_000);
        JsonNode raw = Json.parse(alice.get("/slo/big?multipart-manifest=get&format=raw").body());
        assertThat(raw.get(2).path("path").asText()).isEqualTo("/slo_segments/big/3");
        assertThat(raw.get(2).path("size_bytes").asLong()).isEqualTo(5);

        // A POST keeps the object a large object.
        assertThat(alice.post("/slo/big", "X-Object-Meta-Kind", "still").statusCode()).isEqualTo(202);
        assertThat(header(alice.head("/slo/big"), "X-Static-Large-Object")).isEqualTo("True");
        assertThat(alice.get("/slo/big").body()).isEqualTo(whole);

        // A server-side copy of an SLO copies its content.
        HttpResponse<byte[]> copy = alice.put("/slo/copy", null, "X-Copy-From", "/slo/big");
        assertThat(copy.statusCode()).isEqualTo(201);
        HttpResponse<byte[]> copied = alice.get("/slo/copy");
        assertThat(copied.body()).isEqualTo(whole);
        assertThat(header(copied, "X-Static-Large-Object")).isNull();
        assertThat(header(copied, "Etag")).isEqualTo(md5(whole));

        HttpResponse<byte[]> delete = alice.delete("/slo/big?multipart-manifest=delete");
        assertThat(delete.statusCode()).isEqualTo(200);
        assertThat(text(delete)).contains("Number Deleted: 4").contains("Number Not Found: 0").contains("Response Status: 200 OK");
        assertThat(alice.head("/slo/big").statusCode()).isEqualTo(404);
        assertThat(alice.head("/slo_segments/big/1").statusCode()).isEqualTo(404);
    }

    @Test
    void anSloMayBeASegmentOfAnother() throws Exception {
        alice.put("/nest", null);
        byte[] one = bytes(2000, 7);
        byte[] two = bytes(3000, 8);
        byte[] three = bytes(1000, 9);
        alice.put("/nest/seg/1", one);
        alice.put("/nest/seg/2", two);
        alice.put("/nest/seg/3", three);
        HttpResponse<byte[]> inner = alice.put("/nest/inner?multipart-manifest=put",
                "[{\"path\": \"/nest/seg/1\"}, {\"path\": \"/nest/seg/2\"}]".getBytes(StandardCharsets.UTF_8));
        assertThat(inner.statusCode()).as(text(inner)).isEqualTo(201);
        String innerEtag = md5((md5(one) + md5(two)).getBytes(StandardCharsets.US_ASCII));

        // The sub-SLO is named with the size and etag a HEAD of it shows.
        String outerManifest = "[{\"path\": \"/nest/inner\", \"etag\": \"%s\", \"size_bytes\": 5000}, {\"path\": \"/nest/seg/3\"}]"
                .formatted(innerEtag);
        HttpResponse<byte[]> outer = alice.put("/nest/outer?multipart-manifest=put", outerManifest.getBytes(StandardCharsets.UTF_8));
        assertThat(outer.statusCode()).as(text(outer)).isEqualTo(201);
        String outerEtag = md5((innerEtag + md5(three)).getBytes(StandardCharsets.US_ASCII));
        assertThat(header(outer, "Etag")).isEqualTo("\"" + outerEtag + "\"");

        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(one);
        all.write(two);
        all.write(three);
        byte[] whole = all.toByteArray();
        HttpResponse<byte[]> head = alice.head("/nest/outer");
        assertThat(header(head, "Content-Length")).isEqualTo("6000");
        assertThat(header(head, "Etag")).isEqualTo("\"" + outerEtag + "\"");
        assertThat(alice.get("/nest/outer").body()).isEqualTo(whole);
        HttpResponse<byte[]> range = alice.get("/nest/outer", "Range", "bytes=1990-5009");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(whole, 1990, 5010));
        JsonNode stored = Json.parse(alice.get("/nest/outer?multipart-manifest=get").body());
        assertThat(stored.get(0).path("sub_slo").asBoolean()).isTrue();
        assertThat(stored.get(0).path("bytes").asLong()).isEqualTo(5000);

        // A wrong size for the sub-SLO is refused like any segment's.
        HttpResponse<byte[]> wrong = alice.put("/nest/wrong?multipart-manifest=put",
                "[{\"path\": \"/nest/inner\", \"size_bytes\": 2000}]".getBytes(StandardCharsets.UTF_8));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(text(wrong)).contains("/nest/inner, Size Mismatch");

        // Deleting the outer SLO with its segments takes the sub-SLO's segments too.
        HttpResponse<byte[]> delete = alice.delete("/nest/outer?multipart-manifest=delete");
        assertThat(text(delete)).contains("Number Deleted: 5").contains("Number Not Found: 0");
        for (String gone : List.of("/nest/outer", "/nest/inner", "/nest/seg/1", "/nest/seg/2", "/nest/seg/3")) {
            assertThat(alice.head(gone).statusCode()).as(gone).isEqualTo(404);
        }
    }

    @Test
    void aSubSloReplacedFailsOnlyTheReadsOfTheData() {
        alice.put("/renest", null);
        alice.put("/renest/seg/1", bytes(1000, 11));
        alice.put("/renest/seg/2", bytes(1000, 12));
        byte[] inner = "[{\"path\": \"/renest/seg/1\"}]".getBytes(StandardCharsets.UTF_8);
        assertThat(alice.put("/renest/inner?multipart-manifest=put", inner).statusCode()).isEqualTo(201);
        byte[] outer = "[{\"path\": \"/renest/inner\"}, {\"path\": \"/renest/seg/2\"}]".getBytes(StandardCharsets.UTF_8);
        assertThat(alice.put("/renest/outer?multipart-manifest=put", outer).statusCode()).isEqualTo(201);
        byte[] other = "[{\"path\": \"/renest/seg/2\"}]".getBytes(StandardCharsets.UTF_8);
        assertThat(alice.put("/renest/inner?multipart-manifest=put", other).statusCode()).isEqualTo(201);

        HttpResponse<byte[]> head = alice.head("/renest/outer");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(header(head, "Content-Length")).isEqualTo("2000");
        HttpResponse<byte[]> get = alice.get("/renest/outer");
        assertThat(get.statusCode()).isEqualTo(409);
        assertThat(text(get)).isEqualTo("Sub-SLO /renest/inner changed");
        assertThat(alice.get("/renest/outer", "Range", "bytes=0-1,1500-1501").statusCode()).isEqualTo(409);
        assertThat(alice.put("/renest/copy", null, "X-Copy-From", "renest/outer").statusCode()).isEqualTo(409);
        assertThat(alice.head("/renest/copy").statusCode()).isEqualTo(404);
    }

    @Test
    void aManifestWithBadSegmentsIsRefusedWithEveryError() throws Exception {
        alice.put("/bad", null);
        byte[] seg = bytes(1000, 4);
        alice.put("/bad/seg", seg);
        String manifest = """
                [{"path": "/bad/seg", "etag": "0123", "size_bytes": 999},
                 {"path": "/bad/missing", "etag": null, "size_bytes": null}]""";
        HttpResponse<byte[]> put = alice.put("/bad/manifest?multipart-manifest=put", manifest.getBytes(StandardCharsets.UTF_8));
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(text(put)).startsWith("Errors:\n").contains("/bad/seg, Etag Mismatch").contains("/bad/seg, Size Mismatch")
                .contains("/bad/missing, 404 Not Found");
        assertThat(alice.head("/bad/manifest").statusCode()).isEqualTo(404);

        assertThat(alice.put("/bad/manifest?multipart-manifest=put", "{}".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(400);
        assertThat(alice.put("/bad/manifest?multipart-manifest=put", "not json".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(400);
        HttpResponse<byte[]> wrongEtag = alice.put("/bad/manifest?multipart-manifest=put",
                "[{\"path\": \"/bad/seg\"}]".getBytes(StandardCharsets.UTF_8), "ETag", "ffff");
        assertThat(wrongEtag.statusCode()).isEqualTo(422);
    }

    @Test
    void dynamicLargeObject() throws Exception {
        alice.put("/dlo", null);
        byte[] a = bytes(3000, 5);
        byte[] b = bytes(2000, 6);
        alice.put("/dlo/parts/001", a);
        alice.put("/dlo/parts/002", b);
        HttpResponse<byte[]> put = alice.put("/dlo/whole", new byte[0], "X-Object-Manifest", "dlo/parts/");
        assertThat(put.statusCode()).isEqualTo(201);

        HttpResponse<byte[]> head = alice.head("/dlo/whole");
        assertThat(header(head, "X-Object-Manifest")).isEqualTo("dlo/parts/");
        assertThat(header(head, "Content-Length")).isEqualTo("5000");
        assertThat(header(head, "Etag")).isEqualTo("\"" + md5((md5(a) + md5(b)).getBytes(StandardCharsets.US_ASCII)) + "\"");
        byte[] whole = new byte[5000];
        System.arraycopy(a, 0, whole, 0, 3000);
        System.arraycopy(b, 0, whole, 3000, 2000);
        assertThat(alice.get("/dlo/whole").body()).isEqualTo(whole);
        assertThat(alice.get("/dlo/whole", "Range", "bytes=2990-3009").body()).isEqualTo(Arrays.copyOfRange(whole, 2990, 3010));
        assertThat(alice.get("/dlo/whole?multipart-manifest=get").body()).isEmpty();

        // Segments added later are part of it.
        alice.put("/dlo/parts/003", new byte[] {1, 2, 3});
        assertThat(header(alice.head("/dlo/whole"), "Content-Length")).isEqualTo("5003");

        assertThat(alice.put("/dlo/bad", new byte[0], "X-Object-Manifest", "no-slash").statusCode()).isEqualTo(400);
    }

    @Test
    void containerQuotas() {
        assertThat(alice.put("/quota", null, "X-Container-Meta-Quota-Bytes", "10", "X-Container-Meta-Quota-Count", "2").statusCode())
                .isEqualTo(201);
        assertThat(alice.put("/quota/a", new byte[6]).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> over = alice.put("/quota/b", new byte[5]);
        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(text(over)).isEqualTo("Upload exceeds quota.");
        assertThat(alice.put("/quota/b", new byte[4]).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> tooMany = alice.put("/quota/c", new byte[0]);
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(text(tooMany)).isEqualTo("Upload exceeds quota.");

        // Chunked uploads stop at the quota too.
        assertThat(alice.post("/quota", "X-Container-Meta-Quota-Count", "").statusCode()).isEqualTo(204);
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(server.url() + alice.account() + "/quota/chunked"))
                .header("X-Auth-Token", alice.token())
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[100]))).build();
        assertThat(alice.send(chunked).statusCode()).isEqualTo(413);
        assertThat(alice.head("/quota/chunked").statusCode()).isEqualTo(404);

        HttpResponse<byte[]> invalid = alice.post("/quota", "X-Container-Meta-Quota-Bytes", "lots");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(text(invalid)).isEqualTo("Invalid bytes quota.");
        assertThat(text(alice.put("/quota2", null, "X-Container-Meta-Quota-Count", "-1"))).isEqualTo("Invalid count quota.");

        // Raising the quota lets the upload in.
        assertThat(alice.post("/quota", "X-Container-Meta-Quota-Bytes", "1000").statusCode()).isEqualTo(204);
        assertThat(alice.put("/quota/c", new byte[100]).statusCode()).isEqualTo(201);
    }

    @Test
    void copyMethod() {
        alice.put("/copy-src", null);
        alice.put("/copy-dst", null);
        byte[] data = "copy me".getBytes(StandardCharsets.UTF_8);
        alice.put("/copy-src/o", data, "X-Object-Meta-Color", "red", "Content-Type", "text/x-test");

        HttpResponse<byte[]> copy = alice.send("COPY", "/copy-src/o", null, "Destination", "/copy-dst/o%20two",
                "X-Object-Meta-Size", "small");
        assertThat(copy.statusCode()).as(text(copy)).isEqualTo(201);
        assertThat(header(copy, "X-Copied-From")).isEqualTo("copy-src/o");
        assertThat(header(copy, "X-Copied-From-Account")).isEqualTo(alice.account().substring("/v1/".length()));
        HttpResponse<byte[]> get = alice.get("/copy-dst/o%20two");
        assertThat(get.body()).isEqualTo(data);
        assertThat(header(get, "X-Object-Meta-Color")).isEqualTo("red");
        assertThat(header(get, "X-Object-Meta-Size")).isEqualTo("small");
        assertThat(header(get, "Content-Type")).isEqualTo("text/x-test");

        assertThat(alice.send("COPY", "/copy-src/o", null).statusCode()).isEqualTo(412);
        assertThat(alice.send("COPY", "/copy-src/o", null, "Destination", "nocontainer").statusCode()).isEqualTo(412);
        assertThat(alice.send("COPY", "/copy-src/missing", null, "Destination", "copy-dst/x").statusCode()).isEqualTo(404);
        assertThat(alice.anonymous().send("COPY", "/copy-src/o", null, "Destination", "copy-dst/x").statusCode()).isEqualTo(401);
        // Destination-Account: another account the caller may not write to.
        Client bob = server.project("large-bob", "member");
        assertThat(alice.send("COPY", "/copy-src/o", null, "Destination", "copy-dst/x",
                "Destination-Account", bob.account().substring("/v1/".length())).statusCode()).isEqualTo(403);
    }

    /** A listing past Javalin's compression threshold, asked for with gzip: its Content-Length stays true. */
    @Test
    void largeListingsAreNotCompressedUnderTheirContentLength() {
        alice.put("/many", null);
        for (int i = 0; i < 40; i++) {
            alice.put("/many/an-object-with-a-rather-long-name-" + i, new byte[] {1});
        }
        HttpResponse<byte[]> r = alice.get("/many?format=json", "Accept-Encoding", "gzip");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().length).isGreaterThan(1500);
        assertThat(header(r, "Content-Length")).isEqualTo(Integer.toString(r.body().length));
        assertThat(Json.parse(r.body())).hasSize(40);
    }

    @Test
    void infoListsTheMiddlewares() {
        HttpResponse<byte[]> r = alice.send(HttpRequest.newBuilder(URI.create(server.url() + "/info")).GET().build());
        JsonNode info = Json.parse(r.body());
        assertThat(info.path("slo").path("max_manifest_segments").asInt()).isEqualTo(1000);
        assertThat(info.has("dlo")).isTrue();
        assertThat(info.has("container_quotas")).isTrue();
    }
}
