package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.objectstore.ObjectStoreTestServer.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nubes.core.json.Json;
import org.nubes.objectstore.ObjectStoreTestServer.Client;

/** The bulk middleware: bulk delete and archive extraction, their answers and their limits. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkApiTest {
    private ObjectStoreTestServer server;
    private Client alice;
    private Client bob;

    @BeforeAll
    void start() {
        server = new ObjectStoreTestServer();
        alice = server.project("bulk-alice", "member");
        bob = server.project("bulk-bob", "member");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** A bulk request's JSON report, which comes with 200 whatever it says. */
    private static JsonNode report(HttpResponse<byte[]> r) {
        assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        return Json.parse(r.body());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A tar of name, content pairs (a name ending in / is a directory); pax headers of the first file if given. */
    private static byte[] tar(OutputStreamWrapper compress, Map<String, String> pax, String... entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(compress.wrap(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            boolean first = true;
            for (int i = 0; i + 1 < entries.length; i += 2) {
                TarArchiveEntry entry = new TarArchiveEntry(entries[i]);
                byte[] content = bytes(entries[i + 1]);
                if (!entries[i].endsWith("/")) {
                    entry.setSize(content.length);
                    if (first && pax != null) {
                        pax.forEach(entry::addPaxHeader);
                    }
                    first = false;
                }
                tar.putArchiveEntry(entry);
                if (!entries[i].endsWith("/")) {
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    interface OutputStreamWrapper {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    @Test
    void bulkDeleteCountsWhatWasDeletedAndWhatWasNotFoundAndListsTheFailures() {
        assertThat(alice.put("/bd", null).statusCode()).isEqualTo(201);
        assertThat(alice.put("/bd-empty", null).statusCode()).isEqualTo(201);
        for (String name : new String[] {"a", "b", "with space", "x+y", "keep"}) {
            assertThat(alice.put("/bd/" + name.replace(" ", "%20").replace("+", "%2B"), bytes(name)).statusCode()).isEqualTo(201);
        }
        String body = "/bd/a\n/bd/b\n\nbd/with%20space\n/bd/x%2By\n/bd/missing\n/bd-empty\n/bd\n";
        JsonNode result = report(alice.send("POST", "?bulk-delete", bytes(body), "Accept", "application/json",
                "Content-Type", "text/plain"));
        assertThat(result.path("Number Deleted").asInt()).isEqualTo(5);
        assertThat(result.path("Number Not Found").asInt()).isEqualTo(1);
        assertThat(result.path("Response Status").asText()).isEqualTo("400 Bad Request");
        assertThat(result.path("Errors").toString()).isEqualTo("[[\"/bd\",\"409 Conflict\"]]");
        assertThat(alice.get("/bd/a").statusCode()).isEqualTo(404);
        assertThat(alice.head("/bd-empty").statusCode()).isEqualTo(404);
        assertThat(alice.head("/bd").statusCode()).isEqualTo(204);

        // A line that is not valid percent-encoding is one failure; the others are still done.
        JsonNode badLine = report(alice.send("POST", "?bulk-delete", bytes("/bd/%zz\n/bd/missing\n"), "Accept", "application/json"));
        assertThat(badLine.path("Number Not Found").asInt()).isEqualTo(1);
        assertThat(badLine.path("Response Status").asText()).isEqualTo("400 Bad Request");
        assertThat(badLine.path("Errors").toString()).isEqualTo("[[\"/bd/%25zz\",\"400 Bad Request\"]]");

        // The last objects go, then the container, in one request with DELETE: all is well.
        assertThat(alice.put("/bd/last", bytes("z")).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> plain = alice.send("DELETE", "?bulk-delete", bytes("/bd/keep\n/bd/last\n/bd\n"));
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(text(plain)).isEqualTo("""
                Number Deleted: 3
                Number Not Found: 0
                Response Body:\s
                Response Status: 200 OK
                Errors:
                """);
        assertThat(alice.head("/bd").statusCode()).isEqualTo(404);
    }

    @Test
    void bulkDeleteAnswersInXmlAndSaysWhenThereWasNothingToDo() {
        HttpResponse<byte[]> xml = alice.send("POST", "?bulk-delete", bytes("\n\n"), "Accept", "application/xml");
        assertThat(xml.statusCode()).isEqualTo(200);
        assertThat(text(xml)).isEqualTo("""
                <?xml version="1.0" encoding="UTF-8"?>
                <delete>
                <number_deleted>0</number_deleted>
                <number_not_found>0</number_not_found>
                <response_body>Invalid bulk delete.</response_body>
                <response_status>400 Bad Request</response_status>
                <errors>
                </errors>
                </delete>
                """);
        assertThat(alice.send("POST", "?bulk-delete", bytes("/x\n"), "Accept", "image/png").statusCode()).isEqualTo(406);
        JsonNode wrongType = report(alice.send("POST", "?bulk-delete", bytes("/x\n"), "Accept", "application/json",
                "Content-Type", "application/json"));
        assertThat(wrongType.path("Response Status").asText()).isEqualTo("406 Not Acceptable");
    }

    @Test
    void anotherProjectCannotBulkDeleteHere() {
        assertThat(alice.put("/mine", null).statusCode()).isEqualTo(201);
        assertThat(alice.put("/mine/o", bytes("o")).statusCode()).isEqualTo(201);
        JsonNode result = report(alice.as(bob).send("POST", "?bulk-delete", bytes("/mine/o\n/mine\n"), "Accept", "application/json"));
        assertThat(result.path("Number Deleted").asInt()).isZero();
        assertThat(result.path("Errors").toString()).isEqualTo("[[\"/mine/o\",\"403 Forbidden\"],[\"/mine\",\"403 Forbidden\"]]");
        assertThat(alice.get("/mine/o").statusCode()).isEqualTo(200);
        assertThat(alice.anonymous().send("POST", "?bulk-delete", bytes("/mine/o\n"), "Accept", "application/json").body())
                .asString(StandardCharsets.UTF_8).contains("401 Unauthorized");
    }

    @Test
    void anArchiveOnTheAccountMakesItsContainers() throws Exception {
        byte[] archive = tar(out -> out, Map.of("SCHILY.xattr.user.meta.color", "green", "SCHILY.xattr.user.mime_type", "text/x-note"),
                "photos/cat.txt", "meow", "photos/", "", "./photos/2024/dog.txt", "woof", "top-level.txt", "ignored",
                "docs/readme.md", "# docs");
        JsonNode result = report(alice.send("PUT", "?extract-archive=tar", archive, "Accept", "application/json"));
        assertThat(result.path("Number Files Created").asInt()).isEqualTo(3);
        assertThat(result.path("Response Status").asText()).isEqualTo("201 Created");
        assertThat(result.path("Errors")).isEmpty();
        assertThat(text(alice.get("/photos"))).isEqualTo("2024/dog.txt\ncat.txt\n");
        HttpResponse<byte[]> cat = alice.get("/photos/cat.txt");
        assertThat(text(cat)).isEqualTo("meow");
        assertThat(cat.headers().firstValue("X-Object-Meta-Color")).hasValue("green");
        assertThat(cat.headers().firstValue("Content-Type")).hasValue("text/x-note");
        assertThat(alice.get("/docs/readme.md").statusCode()).isEqualTo(200);
        // Another project can make nothing in this account.
        JsonNode denied = report(alice.as(bob).send("PUT", "?extract-archive=tar", tar(out -> out, null, "bobs/x", "x"),
                "Accept", "application/json"));
        assertThat(denied.path("Number Files Created").asInt()).isZero();
        assertThat(denied.path("Errors").get(0).get(1).asText()).isEqualTo("403 Forbidden");
        assertThat(alice.head("/bobs").statusCode()).isEqualTo(404);
    }

    @Test
    void anArchiveBelowAContainerPathAndCompressed() throws Exception {
        assertThat(alice.put("/site", null).statusCode()).isEqualTo(201);
        byte[] archive = tar(BZip2CompressorOutputStream::new, null, "index.html", "<html/>", "css/main.css", "body{}");
        JsonNode result = report(alice.send("PUT", "/site/v2?extract-archive=tar.bz2", archive, "Accept", "application/json"));
        assertThat(result.path("Number Files Created").asInt()).isEqualTo(2);
        assertThat(text(alice.get("/site"))).isEqualTo("v2/css/main.css\nv2/index.html\n");
        assertThat(alice.get("/site/v2/index.html").headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    }

    @Test
    void badArchivesAreReported() throws Exception {
        assertThat(alice.put("/bad", null).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> unsupported = alice.send("PUT", "/bad?extract-archive=zip", bytes("PK"));
        assertThat(unsupported.statusCode()).isEqualTo(400);
        assertThat(text(unsupported)).isEqualTo("Unsupported archive format");
        JsonNode garbage = report(alice.send("PUT", "/bad?extract-archive=tar.gz", bytes("not gzip at all"), "Accept", "application/json"));
        assertThat(garbage.path("Response Status").asText()).isEqualTo("400 Bad Request");
        assertThat(garbage.path("Response Body").asText()).startsWith("Invalid Tar File: ");
        JsonNode empty = report(alice.send("PUT", "/bad?extract-archive=tar", tar(out -> out, null, "dir/", ""), "Accept", "application/json"));
        assertThat(empty.path("Response Body").asText()).isEqualTo("Invalid Tar File: No Valid Files");
        // A container quota stops the file that would pass it, and the rest are still tried.
        assertThat(alice.post("/bad", "X-Container-Meta-Quota-Count", "1").statusCode()).isEqualTo(204);
        JsonNode quota = report(alice.send("PUT", "/bad?extract-archive=tar", tar(out -> out, null, "one", "1", "two", "2"),
                "Accept", "application/json"));
        assertThat(quota.path("Number Files Created").asInt()).isEqualTo(1);
        assertThat(quota.path("Errors").toString()).isEqualTo("[[\"/bad/two\",\"413 Request Entity Too Large\"]]");
        assertThat(text(alice.get("/bad"))).isEqualTo("one\n");
    }

    @Test
    void infoOffersBothBulkOperations() {
        JsonNode info = Json.parse(alice.anonymous().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.url() + "/info")).build()).body());
        assertThat(info.path("bulk_delete").path("max_deletes_per_request").asInt()).isEqualTo(10000);
        assertThat(info.path("bulk_upload").path("max_containers_per_extraction").asInt()).isEqualTo(10000);
    }
}
