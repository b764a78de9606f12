package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.objectstore.ObjectStoreTestServer.header;
import static org.nubes.objectstore.ObjectStoreTestServer.json;
import static org.nubes.objectstore.ObjectStoreTestServer.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nubes.objectstore.ObjectStoreTestServer.Client;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObjectStoreApiTest {
    private ObjectStoreTestServer server;
    private Client alice;
    private Client bob;

    @BeforeAll
    void start() {
        server = new ObjectStoreTestServer();
        alice = server.project("alice", "member");
        bob = server.project("bob", "member");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    @Test
    void objectLifecycleWithCounts() throws Exception {
        assertThat(alice.put("/life", null).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> again = alice.put("/life", null);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(text(again)).isEqualTo("<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>");
        byte[] data = "hello, object storage".getBytes(StandardCharsets.UTF_8);

        HttpResponse<byte[]> put = alice.put("/life/greeting.txt", data, "X-Object-Meta-Color", "blue");
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(put, "Etag")).isEqualTo(md5(data));
        assertThat(header(put, "Last-Modified")).isNotNull();
        assertThat(header(put, "X-Trans-Id")).startsWith("tx").isEqualTo(header(put, "X-Openstack-Request-Id"));
        assertThat(header(put, "Content-Type")).startsWith("text/html");

        HttpResponse<byte[]> get = alice.get("/life/greeting.txt");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(data);
        assertThat(header(get, "Content-Type")).startsWith("text/plain");
        assertThat(header(get, "X-Object-Meta-Color")).isEqualTo("blue");
        assertThat(header(get, "Etag")).isEqualTo(md5(data));
        assertThat(header(get, "Content-Length")).isEqualTo(Integer.toString(data.length));

        HttpResponse<byte[]> head = alice.head("/life/greeting.txt");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(header(head, "Content-Length")).isEqualTo(Integer.toString(data.length));

        HttpResponse<byte[]> container = alice.head("/life");
        assertThat(container.statusCode()).isEqualTo(204);
        assertThat(header(container, "X-Container-Object-Count")).isEqualTo("1");
        assertThat(header(container, "X-Container-Bytes-Used")).isEqualTo(Integer.toString(data.length));

        // Overwrite: the count stays, the bytes follow.
        alice.put("/life/greeting.txt", "hi".getBytes(StandardCharsets.UTF_8));
        assertThat(header(alice.head("/life"), "X-Container-Bytes-Used")).isEqualTo("2");
        assertThat(alice.get("/life/greeting.txt").body()).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
        assertThat(header(alice.get("/life/greeting.txt"), "X-Object-Meta-Color")).isNull();

        HttpResponse<byte[]> account = alice.head("");
        assertThat(account.statusCode()).isEqualTo(204);
        assertThat(header(account, "X-Account-Container-Count")).isNotNull();
        assertThat(header(account, "X-Timestamp")).isNotNull();

        HttpResponse<byte[]> conflict = alice.delete("/life");
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(text(conflict)).isEqualTo("<html><h1>Conflict</h1><p>There was a conflict when trying to complete your request.</p></html>");

        assertThat(alice.delete("/life/greeting.txt").statusCode()).isEqualTo(204);
        HttpResponse<byte[]> missing = alice.get("/life/greeting.txt");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(text(missing)).isEqualTo("<html><h1>Not Found</h1><p>The resource could not be found.</p></html>");
        assertThat(header(missing, "Content-Type")).startsWith("text/html");
        assertThat(alice.delete("/life/greeting.txt").statusCode()).isEqualTo(404);
        assertThat(header(alice.head("/life"), "X-Container-Object-Count")).isEqualTo("0");
        assertThat(header(alice.head("/life"), "X-Container-Bytes-Used")).isEqualTo("0");
        assertThat(alice.delete("/life").statusCode()).isEqualTo(204);
        assertThat(alice.head("/life").statusCode()).isEqualTo(404);
        assertThat(alice.put("/life/x", new byte[1]).statusCode()).isEqualTo(404);
    }

    @Test
    void pathsAndMethodsNoRouteTakesAnswerInSwiftsForm() {
        HttpResponse<byte[]> unrouted = alice.send(HttpRequest.newBuilder(URI.create(server.url() + "/nowhere")).GET().build());
        assertThat(unrouted.statusCode()).isEqualTo(404);
        assertThat(header(unrouted, "Content-Type")).startsWith("text/html");
        assertThat(text(unrouted)).isEqualTo("<html><h1>Not Found</h1><p>The resource could not be found.</p></html>");

        HttpResponse<byte[]> patch = alice.send("PATCH", "/anything", new byte[0]);
        assertThat(patch.statusCode()).isEqualTo(405);
        assertThat(header(patch, "Content-Type")).startsWith("text/html");
        assertThat(text(patch)).isEqualTo("<html><h1>Method Not Allowed</h1><p>The method is not allowed for this resource.</p></html>");
    }

    @Test
    void etagMismatchIs422AndStoresNothing() {
        alice.put("/etags", null);
        HttpResponse<byte[]> r = alice.put("/etags/o", "data".getBytes(StandardCharsets.UTF_8), "ETag", "00000000000000000000000000000000");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(alice.get("/etags/o").statusCode()).isEqualTo(404);
        assertThat(header(alice.head("/etags"), "X-Container-Object-Count")).isEqualTo("0");
    }

    @Test
    void chunkedUploadStreams() throws Exception {
        alice.put("/chunked", null);
        byte[] data = new byte[300_000];
        new java.util.Random(7).nextBytes(data);
        // An InputStream publisher has no length: the client sends it chunked.
        HttpRequest request = HttpRequest.newBuilder(URI.create(alice.url() + alice.account() + "/chunked/blob"))
                .timeout(Duration.ofSeconds(30)).header("X-Auth-Token", alice.token())
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(data))).build();
        HttpResponse<byte[]> put = alice.send(request);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(put, "Etag")).isEqualTo(md5(data));
        HttpResponse<byte[]> get = alice.get("/chunked/blob");
        assertThat(get.body()).isEqualTo(data);
        assertThat(header(get, "Content-Type")).isEqualTo("application/octet-stream");
    }

    @Test
    void listingsWithPrefixDelimiterMarkerLimitAndFormats() {
        alice.put("/list", null);
        for (String name : List.of("a", "b/1", "b/2", "c", "d/x/1", "e")) {
            assertThat(alice.put("/list/" + name, name.getBytes(StandardCharsets.UTF_8), "Content-Type", "text/plain").statusCode()).isEqualTo(201);
        }
        assertThat(text(alice.get("/list"))).isEqualTo("a\nb/1\nb/2\nc\nd/x/1\ne\n");
        assertThat(text(alice.get("/list?delimiter=/"))).isEqualTo("a\nb/\nc\nd/\ne\n");
        assertThat(text(alice.get("/list?prefix=b/"))).isEqualTo("b/1\nb/2\n");
        assertThat(text(alice.get("/list?prefix=d/&delimiter=/"))).isEqualTo("d/x/\n");
        assertThat(text(alice.get("/list?marker=b/2&limit=2"))).isEqualTo("c\nd/x/1\n");
        assertThat(text(alice.get("/list?marker=a&end_marker=c"))).isEqualTo("b/1\nb/2\n");
        assertThat(text(alice.get("/list?reverse=true&limit=3"))).isEqualTo("e\nd/x/1\nc\n");
        assertThat(text(alice.get("/list?reverse=true&delimiter=/"))).isEqualTo("e\nd/\nc\nb/\na\n");
        assertThat(text(alice.get("/list?delimiter=/&limit=2"))).isEqualTo("a\nb/\n");
        assertThat(alice.get("/list?prefix=zzz").statusCode()).isEqualTo(204);

        HttpResponse<byte[]> json = alice.get("/list?format=json&delimiter=/&limit=2");
        assertThat(header(json, "Content-Type")).startsWith("application/json");
        JsonNode array = json(json);
        assertThat(array).hasSize(2);
        assertThat(array.get(0).path("name").asText()).isEqualTo("a");
        assertThat(array.get(0).path("bytes").asLong()).isEqualTo(1);
        assertThat(array.get(0).path("hash").asText()).hasSize(32);
        assertThat(array.get(0).path("content_type").asText()).isEqualTo("text/plain");
        assertThat(array.get(0).path("last_modified").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
        assertThat(array.get(1).path("subdir").asText()).isEqualTo("b/");
        assertThat(text(alice.get("/list?format=json&prefix=zzz"))).isEqualTo("[]");

        HttpResponse<byte[]> xml = alice.get("/list?format=xml&prefix=c");
        assertThat(header(xml, "Content-Type")).startsWith("application/xml");
        assertThat(text(xml)).contains("<container name=\"list\">\n<object><name>c</name>").contains("<bytes>1</bytes>");

        HttpResponse<byte[]> accountJson = alice.get("?format=json&prefix=list");
        assertThat(json(accountJson).get(0).path("name").asText()).isEqualTo("list");
        assertThat(json(accountJson).get(0).path("count").asLong()).isEqualTo(6);
        assertThat(json(accountJson).get(0).path("bytes").asLong()).isEqualTo(1 + 3 + 3 + 1 + 5 + 1);
        assertThat(text(alice.get("?format=xml&prefix=list"))).contains("<account name=\"AUTH_" + alice.projectId() + "\">\n<container><name>list</name><count>6</count>");
        assertThat(alice.get("/list?limit=10001").statusCode()).isEqualTo(412);
    }

    @Test
    void containerAndAccountMetadata() {
        assertThat(alice.put("/meta", null, "X-Container-Meta-Owner", "alice", "X-Container-Meta-Drop", "x").statusCode()).isEqualTo(201);
        assertThat(alice.post("/meta", "X-Container-Meta-Color", "red", "X-Remove-Container-Meta-Drop", "1").statusCode()).isEqualTo(204);
        HttpResponse<byte[]> head = alice.head("/meta");
        assertThat(header(head, "X-Container-Meta-Owner")).isEqualTo("alice");
        assertThat(header(head, "X-Container-Meta-Color")).isEqualTo("red");
        assertThat(header(head, "X-Container-Meta-Drop")).isNull();

        assertThat(alice.post("", "X-Account-Meta-Team", "storage").statusCode()).isEqualTo(204);
        assertThat(header(alice.head(""), "X-Account-Meta-Team")).isEqualTo("storage");

        alice.put("/meta/o", "1".getBytes(StandardCharsets.UTF_8), "X-Object-Meta-A", "1");
        assertThat(alice.post("/meta/o", "X-Object-Meta-B", "2", "Content-Type", "application/x-test").statusCode()).isEqualTo(202);
        HttpResponse<byte[]> object = alice.head("/meta/o");
        assertThat(header(object, "X-Object-Meta-A")).isNull();
        assertThat(header(object, "X-Object-Meta-B")).isEqualTo("2");
        assertThat(header(object, "Content-Type")).isEqualTo("application/x-test");
        assertThat(json(alice.get("/meta?format=json")).get(0).path("content_type").asText()).isEqualTo("application/x-test");
        assertThat(alice.post("/meta/missing", "X-Object-Meta-B", "2").statusCode()).isEqualTo(404);
        assertThat(alice.post("/meta", "X-Container-Meta-" + "k".repeat(129), "v").statusCode()).isEqualTo(400);
    }

    @Test
    void rangesSingleAndMultiple() {
        alice.put("/ranges", null);
        byte[] data = "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);
        alice.put("/ranges/r", data, "Content-Type", "text/plain");

        HttpResponse<byte[]> single = alice.get("/ranges/r", "Range", "bytes=2-5");
        assertThat(single.statusCode()).isEqualTo(206);
        assertThat(text(single)).isEqualTo("2345");
        assertThat(header(single, "Content-Range")).isEqualTo("bytes 2-5/20");
        assertThat(text(alice.get("/ranges/r", "Range", "bytes=-3"))).isEqualTo("hij");
        assertThat(text(alice.get("/ranges/r", "Range", "bytes=15-"))).isEqualTo("fghij");

        HttpResponse<byte[]> multi = alice.get("/ranges/r", "Range", "bytes=0-1,10-12");
        assertThat(multi.statusCode()).isEqualTo(206);
        String type = header(multi, "Content-Type");
        assertThat(type).startsWith("multipart/byteranges;boundary=");
        String boundary = type.substring(type.indexOf('=') + 1);
        assertThat(text(multi)).isEqualTo("--" + boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/20\r\n\r\n01\r\n"
                + "--" + boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 10-12/20\r\n\r\nabc\r\n--" + boundary + "--");

        HttpResponse<byte[]> unsatisfiable = alice.get("/ranges/r", "Range", "bytes=30-40");
        assertThat(unsatisfiable.statusCode()).isEqualTo(416);
        assertThat(header(unsatisfiable, "Content-Range")).isEqualTo("bytes */20");
        assertThat(alice.get("/ranges/r", "Range", "bytes=x-y").statusCode()).isEqualTo(200);
    }

    @Test
    void conditionalRequests() {
        alice.put("/cond", null);
        HttpResponse<byte[]> put = alice.put("/cond/o", "x".getBytes(StandardCharsets.UTF_8));
        String etag = header(put, "Etag");
        String lastModified = header(put, "Last-Modified");
        DateTimeFormatter http = DateTimeFormatter.RFC_1123_DATE_TIME;
        String before = http.format(ZonedDateTime.parse(lastModified, http).minusHours(1).withZoneSameInstant(ZoneOffset.UTC));

        assertThat(alice.get("/cond/o", "If-Match", "\"" + etag + "\"").statusCode()).isEqualTo(200);
        assertThat(alice.get("/cond/o", "If-Match", "nope").statusCode()).isEqualTo(412);
        HttpResponse<byte[]> notModified = alice.get("/cond/o", "If-None-Match", etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(header(notModified, "Etag")).isEqualTo(etag);
        assertThat(alice.get("/cond/o", "If-None-Match", "other").statusCode()).isEqualTo(200);
        assertThat(alice.get("/cond/o", "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);
        assertThat(alice.get("/cond/o", "If-Modified-Since", before).statusCode()).isEqualTo(200);
        assertThat(alice.get("/cond/o", "If-Unmodified-Since", before).statusCode()).isEqualTo(412);
        assertThat(alice.get("/cond/o", "If-Unmodified-Since", lastModified).statusCode()).isEqualTo(200);
    }

    @Test
    void copyWithXCopyFrom() {
        alice.put("/src", null);
        alice.put("/dst", null);
        alice.put("/src/orig", "copy me".getBytes(StandardCharsets.UTF_8), "Content-Type", "text/x-a", "X-Object-Meta-Kept", "yes");
        HttpResponse<byte[]> copy = alice.put("/dst/copy", null, "X-Copy-From", "/src/orig", "X-Object-Meta-Added", "1");
        assertThat(copy.statusCode()).isEqualTo(201);
        assertThat(header(copy, "X-Copied-From")).isEqualTo("src/orig");
        HttpResponse<byte[]> get = alice.get("/dst/copy");
        assertThat(text(get)).isEqualTo("copy me");
        assertThat(header(get, "Content-Type")).isEqualTo("text/x-a");
        assertThat(header(get, "X-Object-Meta-Kept")).isEqualTo("yes");
        assertThat(header(get, "X-Object-Meta-Added")).isEqualTo("1");
        assertThat(header(alice.head("/dst"), "X-Container-Bytes-Used")).isEqualTo("7");
        assertThat(alice.put("/dst/none", null, "X-Copy-From", "/src/missing").statusCode()).isEqualTo(404);
    }

    @Test
    void trailingSlashesAndUnicodeNamesAreSignificant() {
        alice.put("/names", null);
        assertThat(alice.put("/names/dir/", "a".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);
        assertThat(alice.put("/names/dir", "bb".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);
        assertThat(alice.put("/names/%C3%A9t%C3%A9+1", "ccc".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);
        assertThat(text(alice.get("/names/dir/"))).isEqualTo("a");
        assertThat(text(alice.get("/names/dir"))).isEqualTo("bb");
        assertThat(text(alice.get("/names?format=json"))).contains("\"name\":\"dir\"").contains("\"name\":\"dir/\"").contains("\"name\":\"été+1\"");
    }

    @Test
    void otherProjectsAndAnonymousCallersNeedAnAcl() {
        alice.put("/private", null);
        alice.put("/private/o", "secret".getBytes(StandardCharsets.UTF_8));
        Client bobOnAlice = alice.as(bob);
        assertThat(bobOnAlice.get("/private/o").statusCode()).isEqualTo(403);
        assertThat(bobOnAlice.get("/private").statusCode()).isEqualTo(403);
        assertThat(bobOnAlice.get("").statusCode()).isEqualTo(403);
        assertThat(bobOnAlice.put("/private/x", new byte[1]).statusCode()).isEqualTo(403);
        HttpResponse<byte[]> anonymous = alice.anonymous().get("/private/o");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(text(anonymous)).isEqualTo("<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the document you requested.</p></html>");
        assertThat(alice.anonymous().get("/missing-container/o").statusCode()).isEqualTo(401);
        assertThat(new Client(alice.url(), alice.account(), "not-a-token", null, null).get("/private/o").statusCode()).isEqualTo(401);
    }

    @Test
    void publicReadAclAllowsAnonymousObjectReadsButNotListings() {
        alice.put("/public", null, "X-Container-Read", ".r:*");
        alice.put("/public/o", "open".getBytes(StandardCharsets.UTF_8));
        Client anonymous = alice.anonymous();
        assertThat(text(anonymous.get("/public/o"))).isEqualTo("open");
        assertThat(anonymous.get("/public").statusCode()).isEqualTo(401);
        assertThat(anonymous.put("/public/x", new byte[1]).statusCode()).isEqualTo(401);
        assertThat(alice.as(bob).get("/public").statusCode()).isEqualTo(403);
        assertThat(header(alice.head("/public"), "X-Container-Read")).isEqualTo(".r:*");

        alice.post("/public", "X-Container-Read", ".r:*,.rlistings");
        assertThat(text(anonymous.get("/public"))).isEqualTo("o\n");
        HttpResponse<byte[]> head = anonymous.head("/public");
        assertThat(head.statusCode()).isEqualTo(204);
        assertThat(header(head, "X-Container-Read")).isNull();
    }

    @Test
    void projectGrantsReadAndWrite() {
        alice.put("/shared", null, "X-Container-Read", bob.projectId() + ":*", "X-Container-Write", bob.projectId() + ":" + bob.userId());
        alice.put("/shared/o", "for bob".getBytes(StandardCharsets.UTF_8));
        Client bobOnAlice = alice.as(bob);
        assertThat(text(bobOnAlice.get("/shared/o"))).isEqualTo("for bob");
        assertThat(text(bobOnAlice.get("/shared"))).isEqualTo("o\n");
        assertThat(bobOnAlice.put("/shared/from-bob", "b".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);
        assertThat(bobOnAlice.delete("/shared/from-bob").statusCode()).isEqualTo(204);
        assertThat(bobOnAlice.post("/shared", "X-Container-Meta-X", "1").statusCode()).isEqualTo(403);
        assertThat(bobOnAlice.delete("/shared").statusCode()).isEqualTo(403);
    }

    @Test
    void readerRoleDoesNotOwnTheAccount() {
        Client reader = server.project("carol", "reader");
        assertThat(reader.put("/c", null).statusCode()).isEqualTo(403);
    }

    @Test
    void infoShowsCapabilities() {
        HttpResponse<byte[]> r = alice.send(HttpRequest.newBuilder(URI.create(server.url() + "/info")).GET().build());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode swift = json(r).path("swift");
        assertThat(swift.path("max_file_size").asLong()).isEqualTo(5368709122L);
        assertThat(swift.path("container_listing_limit").asInt()).isEqualTo(10000);
        assertThat(swift.path("account_listing_limit").asInt()).isEqualTo(10000);
        assertThat(swift.path("max_object_name_length").asInt()).isEqualTo(1024);
    }

    @Test
    void everyRouteIsPublicToTheCoreAndChecksAccessItself() {
        org.nubes.core.testing.RouteTables.assertEveryRouteDeclaresAccess(server.http());
        assertThat(server.http().routeTable()).isNotEmpty()
                .allSatisfy(route -> assertThat(route.access()).isEqualTo(org.nubes.core.auth.Access.PUBLIC));
    }
}
