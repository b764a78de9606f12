package org.nubes.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.http.HttpService;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.RouteTables;

/** Image metadata through HTTP: create, list, show, JSON patch, delete, tags, schemas, errors. */
class ImageApiTest {
    private static ImageTestServer server;
    private static ApiClient admin;
    private static ImageTestServer.Project alpha;

    @BeforeAll
    static void start() {
        server = new ImageTestServer();
        admin = server.admin();
        alpha = server.project("api-alpha", "member");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ApiClient.Response patch(ApiClient client, String id, Object ops) {
        return server.patch(client, id, ops);
    }

    private static ObjectNode op(String op, String path, Object value) {
        ObjectNode node = Json.object().put("op", op).put("path", path);
        if (value != null) {
            node.set("value", Json.MAPPER.valueToTree(value));
        }
        return node;
    }

    private static ArrayNode ops(ObjectNode... ops) {
        ArrayNode array = Json.array();
        for (ObjectNode o : ops) {
            array.add(o);
        }
        return array;
    }

    @Test
    void everyRouteDeclaresItsAccess() {
        var settings = new HttpService.Settings("127.0.0.1", 1 << 20, token -> {
            throw new IllegalStateException("not called");
        }, null);
        assertThat(RouteTables.assertEveryRouteDeclaresAccess(new HttpService(server.http().service(), settings)))
                .hasSizeGreaterThan(25);
    }

    @Test
    void withoutTokenIs401() {
        ApiClient.Response r = server.anonymous().get("/v2/images");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("code").asInt()).isEqualTo(401);
        assertThat(server.anonymous().get("/versions").status()).isEqualTo(200);
    }

    @Test
    void createShowsGlanceFieldsAndDefaults() {
        var body = Json.object().put("name", "cirros").put("disk_format", "qcow2").put("container_format", "bare")
                .put("min_ram", 64).put("os_distro", "cirros");
        body.putArray("tags").add("a").add("a").add("b");
        ApiClient.Response r = alpha.client().post("/v2/images", body);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.header("Location")).endsWith("/v2/images/" + r.json().path("id").asText());
        assertThat(r.header("OpenStack-image-import-methods")).isEqualTo("glance-direct");
        JsonNode image = r.json();
        assertThat(image.path("status").asText()).isEqualTo("queued");
        assertThat(image.path("visibility").asText()).isEqualTo("shared");
        assertThat(image.path("owner").asText()).isEqualTo(alpha.id());
        assertThat(image.path("min_ram").asInt()).isEqualTo(64);
        assertThat(image.path("min_disk").asInt()).isZero();
        assertThat(image.path("protected").asBoolean()).isFalse();
        assertThat(image.path("os_hidden").asBoolean()).isFalse();
        assertThat(image.path("os_distro").asText()).isEqualTo("cirros");
        assertThat(image.path("tags")).hasSize(2);
        assertThat(image.path("size").isNull()).isTrue();
        assertThat(image.path("checksum").isNull()).isTrue();
        assertThat(image.path("os_hash_algo").isNull()).isTrue();
        assertThat(image.path("virtual_size").isNull()).isTrue();
        String id = image.path("id").asText();
        assertThat(image.path("self").asText()).isEqualTo("/v2/images/" + id);
        assertThat(image.path("file").asText()).isEqualTo("/v2/images/" + id + "/file");
        assertThat(image.path("schema").asText()).isEqualTo("/v2/schemas/image");
        assertThat(image.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

        assertThat(alpha.client().get("/v2/images/" + id).json()).isEqualTo(image);
    }

    @Test
    void badCreateBodiesAreRefusedAndCreateNothing() {
        int before = admin.get("/v2/images?limit=1000").json().path("images").size();
        assertThat(alpha.client().post("/v2/images", Json.object().put("status", "active")).status()).isEqualTo(403);
        assertThat(alpha.client().post("/v2/images", Json.object().put("checksum", "x")).status()).isEqualTo(403);
        assertThat(alpha.client().post("/v2/images", Json.object().put("deleted", "x")).status()).isEqualTo(403);
        assertThat(alpha.client().post("/v2/images", Json.object().put("disk_format", "floppy")).status()).isEqualTo(400);
        assertThat(alpha.client().post("/v2/images", Json.object().put("min_disk", -1)).status()).isEqualTo(400);
        assertThat(alpha.client().post("/v2/images", Json.object().put("visibility", "everyone")).status()).isEqualTo(400);
        assertThat(alpha.client().post("/v2/images", Json.object().put("custom", 5)).status()).isEqualTo(400);
        assertThat(alpha.client().post("/v2/images", Json.object().put("id", "not-a-uuid")).status()).isEqualTo(400);
        assertThat(alpha.client().post("/v2/images", "not json").status()).isEqualTo(400);
        // Only an admin makes images public.
        ApiClient.Response pub = alpha.client().post("/v2/images", Json.object().put("visibility", "public"));
        assertThat(pub.status()).isEqualTo(403);
        assertThat(pub.json().path("title").asText()).isEqualTo("Forbidden");
        assertThat(admin.get("/v2/images?limit=1000").json().path("images").size()).isEqualTo(before);
    }

    @Test
    void createWithChosenIdAndDuplicateIs409() {
        String id = "0f0e0d0c-0b0a-4909-8807-060504030201";
        assertThat(alpha.client().post("/v2/images", Json.object().put("id", id)).status()).isEqualTo(201);
        assertThat(alpha.client().post("/v2/images", Json.object().put("id", id)).status()).isEqualTo(409);
    }

    @Test
    void patchAddsReplacesAndRemoves() {
        String id = ImageTestServer.createImage(alpha.client(), "before", "private");
        ApiClient.Response r = patch(alpha.client(), id, ops(
                op("replace", "/name", "after"),
                op("add", "/hw_disk_bus", "virtio"),
                op("add", "/min_disk", 2),
                op("replace", "/tags", List.of("x", "y")),
                op("replace", "/visibility", "community"),
                op("add", "/protected", true)));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("name").asText()).isEqualTo("after");
        assertThat(r.json().path("hw_disk_bus").asText()).isEqualTo("virtio");
        assertThat(r.json().path("min_disk").asInt()).isEqualTo(2);
        assertThat(r.json().path("visibility").asText()).isEqualTo("community");
        assertThat(r.json().path("protected").asBoolean()).isTrue();
        assertThat(r.json().path("tags").toString()).isEqualTo("[\"x\",\"y\"]");

        r = patch(alpha.client(), id, ops(op("replace", "/hw_disk_bus", "scsi"), op("remove", "/hw_disk_bus", null),
                op("replace", "/protected", false)));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().has("hw_disk_bus")).isFalse();
        assertThat(alpha.client().get("/v2/images/" + id).json().has("hw_disk_bus")).isFalse();
    }

    @Test
    void patchErrorsAreGlancesAndChangeNothing() {
        String id = ImageTestServer.createImage(alpha.client(), "keep", null);
        JsonNode before = alpha.client().get("/v2/images/" + id).json();

        // A valid operation before an invalid one is not applied either.
        assertThat(patch(alpha.client(), id, ops(op("replace", "/name", "lost"), op("replace", "/status", "active")))
                .status()).isEqualTo(403);
        assertThat(patch(alpha.client(), id, ops(op("replace", "/checksum", "x"))).status()).isEqualTo(403);
        assertThat(patch(alpha.client(), id, ops(op("add", "/deleted", "x"))).status()).isEqualTo(403);
        assertThat(patch(alpha.client(), id, ops(op("add", "/os_glance_x", "x"))).status()).isEqualTo(403);
        assertThat(patch(alpha.client(), id, ops(op("remove", "/name", null))).status()).isEqualTo(403);
        assertThat(patch(alpha.client(), id, ops(op("replace", "/owner", "someone"))).status()).isEqualTo(403);
        assertThat(patch(alpha.client(), id, ops(op("replace", "/nope", "x"))).status()).isEqualTo(409);
        assertThat(patch(alpha.client(), id, ops(op("remove", "/nope", null))).status()).isEqualTo(409);
        assertThat(patch(alpha.client(), id, ops(op("move", "/name", "x"))).status()).isEqualTo(400);
        assertThat(patch(alpha.client(), id, ops(op("add", "/a/b", "x"))).status()).isEqualTo(400);
        assertThat(patch(alpha.client(), id, ops(op("replace", "/disk_format", "floppy"))).status()).isEqualTo(400);
        assertThat(patch(alpha.client(), id, ops(op("replace", "/visibility", "public"))).status()).isEqualTo(403);
        assertThat(patch(alpha.client(), id, Json.object()).status()).isEqualTo(400);
        ApiClient.Response wrongType = alpha.client().patch("/v2/images/" + id, ops(op("replace", "/name", "x")));
        assertThat(wrongType.status()).isEqualTo(415);

        assertThat(alpha.client().get("/v2/images/" + id).json()).isEqualTo(before);
    }

    @Test
    void tagsAreAddedAndRemoved() {
        String id = ImageTestServer.createImage(alpha.client(), "tagged", null);
        assertThat(alpha.client().put("/v2/images/" + id + "/tags/red", null).status()).isEqualTo(204);
        assertThat(alpha.client().put("/v2/images/" + id + "/tags/red", null).status()).isEqualTo(204);
        assertThat(alpha.client().put("/v2/images/" + id + "/tags/blue", null).status()).isEqualTo(204);
        assertThat(alpha.client().get("/v2/images/" + id).json().path("tags").toString()).isEqualTo("[\"red\",\"blue\"]");
        assertThat(alpha.client().get("/v2/images?tag=red&tag=blue").json().findValuesAsText("id")).contains(id);
        assertThat(alpha.client().delete("/v2/images/" + id + "/tags/red").status()).isEqualTo(204);
        assertThat(alpha.client().delete("/v2/images/" + id + "/tags/red").status()).isEqualTo(404);
        assertThat(alpha.client().get("/v2/images?tag=red").json().findValuesAsText("id")).doesNotContain(id);
    }

    @Test
    void listFiltersSortsAndPages() {
        ImageTestServer.Project p = server.project("api-lister", "member");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(ImageTestServer.createImage(p.client(), "list-" + i, "private"));
        }
        patch(p.client(), ids.get(0), ops(op("add", "/os_hidden", true)));
        patch(p.client(), ids.get(1), ops(op("replace", "/disk_format", "qcow2"), op("add", "/flavor", "big")));

        JsonNode all = p.client().get("/v2/images").json();
        assertThat(all.path("schema").asText()).isEqualTo("/v2/schemas/images");
        assertThat(all.path("first").asText()).isEqualTo("/v2/images");
        assertThat(all.has("next")).isFalse();
        // Hidden images are left out unless asked for; the newest comes first.
        assertThat(all.findValuesAsText("id")).containsExactly(ids.get(4), ids.get(3), ids.get(2), ids.get(1));
        assertThat(p.client().get("/v2/images?os_hidden=true").json().findValuesAsText("id")).containsExactly(ids.get(0));
        assertThat(p.client().get("/v2/images?disk_format=qcow2").json().findValuesAsText("id")).containsExactly(ids.get(1));
        assertThat(p.client().get("/v2/images?flavor=big").json().findValuesAsText("id")).containsExactly(ids.get(1));
        assertThat(p.client().get("/v2/images?name=list-3").json().findValuesAsText("id")).containsExactly(ids.get(3));
        assertThat(p.client().get("/v2/images?name=in:list-2,list-3&sort=name:asc").json().findValuesAsText("id"))
                .containsExactly(ids.get(2), ids.get(3));
        assertThat(p.client().get("/v2/images?sort_key=name&sort_dir=asc").json().findValuesAsText("id"))
                .containsExactly(ids.get(1), ids.get(2), ids.get(3), ids.get(4));
        assertThat(p.client().get("/v2/images?status=active").json().path("images")).isEmpty();
        assertThat(p.client().get("/v2/images?visibility=private&owner=" + p.id()).json().path("images")).hasSize(4);

        JsonNode page1 = p.client().get("/v2/images?limit=3&sort_key=name&sort_dir=asc").json();
        assertThat(page1.findValuesAsText("id")).containsExactly(ids.get(1), ids.get(2), ids.get(3));
        String next = page1.path("next").asText();
        assertThat(next).startsWith("/v2/images?").contains("marker=" + ids.get(3)).contains("limit=3");
        JsonNode page2 = p.client().get(next).json();
        assertThat(page2.findValuesAsText("id")).containsExactly(ids.get(4));
        assertThat(page2.has("next")).isFalse();
        assertThat(page2.path("first").asText()).doesNotContain("marker");

        assertThat(p.client().get("/v2/images?sort_key=colour").status()).isEqualTo(400);
        assertThat(p.client().get("/v2/images?sort_dir=up").status()).isEqualTo(400);
        assertThat(p.client().get("/v2/images?limit=-1").status()).isEqualTo(400);
        assertThat(p.client().get("/v2/images?marker=00000000-0000-0000-0000-000000000000").status()).isEqualTo(400);
        assertThat(p.client().get("/v2/images?size_min=abc").status()).isEqualTo(400);
        assertThat(p.client().get("/v2/images?visibility=everyone").status()).isEqualTo(400);
    }

    @Test
    void deleteRemovesAndProtectedStays() {
        String id = ImageTestServer.createImage(alpha.client(), "doomed", null);
        assertThat(patch(alpha.client(), id, ops(op("replace", "/protected", true))).status()).isEqualTo(200);
        ApiClient.Response refused = alpha.client().delete("/v2/images/" + id);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("message").asText()).contains("protected");
        assertThat(admin.delete("/v2/images/" + id).status()).isEqualTo(403);
        assertThat(patch(alpha.client(), id, ops(op("replace", "/protected", false))).status()).isEqualTo(200);
        assertThat(alpha.client().delete("/v2/images/" + id).status()).isEqualTo(204);
        assertThat(alpha.client().get("/v2/images/" + id).status()).isEqualTo(404);
        assertThat(alpha.client().delete("/v2/images/" + id).status()).isEqualTo(404);
    }

    @Test
    void schemasDescribeImagesAndMembers() {
        JsonNode image = alpha.client().get("/v2/schemas/image").json();
        assertThat(image.path("name").asText()).isEqualTo("image");
        assertThat(image.path("additionalProperties").path("type").asText()).isEqualTo("string");
        assertThat(image.path("properties").path("status").path("readOnly").asBoolean()).isTrue();
        assertThat(image.path("properties").path("disk_format").path("enum").toString()).contains("\"qcow2\"", "null");
        assertThat(image.path("properties").path("visibility").path("enum").toString())
                .contains("public", "private", "shared", "community");
        // Every attribute an image shows is in the schema.
        JsonNode shown = alpha.client().get("/v2/images/" + ImageTestServer.createImage(alpha.client(), "s", null)).json();
        shown.fieldNames().forEachRemaining(f -> assertThat(image.path("properties").has(f)).as(f).isTrue());

        JsonNode images = alpha.client().get("/v2/schemas/images").json();
        assertThat(images.path("name").asText()).isEqualTo("images");
        assertThat(images.path("properties").path("images").path("items").path("name").asText()).isEqualTo("image");
        JsonNode member = alpha.client().get("/v2/schemas/member").json();
        assertThat(member.path("properties").path("status").path("enum").toString()).isEqualTo("[\"pending\",\"accepted\",\"rejected\"]");
        JsonNode members = alpha.client().get("/v2/schemas/members").json();
        assertThat(members.path("properties").path("members").path("items").path("name").asText()).isEqualTo("member");
    }

    @Test
    void infoNamesImportMethodsAndStores() {
        assertThat(alpha.client().get("/v2/info/import").json().path("import-methods").path("value").toString())
                .isEqualTo("[\"glance-direct\"]");
        assertThat(alpha.client().get("/v2/info/stores").json().path("stores").path(0).path("id").asText()).isEqualTo("file");
    }

    @Test
    void readersSeeButDoNotChange() {
        ImageTestServer.Project reader = server.project("api-reader", "reader");
        assertThat(reader.client().get("/v2/images").status()).isEqualTo(200);
        assertThat(reader.client().post("/v2/images", Json.object().put("name", "r")).status()).isEqualTo(403);
        // An image of the reader's project, made by the admin: the reader sees it and nothing more.
        String id = admin.post("/v2/images", Json.object().put("name", "theirs").put("owner", reader.id()))
                .json().path("id").asText();
        assertThat(reader.client().get("/v2/images/" + id).status()).isEqualTo(200);
        assertThat(reader.client().get("/v2/images").json().findValuesAsText("id")).contains(id);
        assertThat(patch(reader.client(), id, ops(op("replace", "/name", "mine")))).extracting(ApiClient.Response::status)
                .isEqualTo(403);
        assertThat(reader.client().delete("/v2/images/" + id).status()).isEqualTo(403);
        assertThat(reader.client().put("/v2/images/" + id + "/tags/x", null).status()).isEqualTo(403);
        assertThat(admin.get("/v2/images/" + id).json().path("name").asText()).isEqualTo("theirs");
    }

    @Test
    void adminChangesOwnerAndOthersCannot() {
        String id = ImageTestServer.createImage(alpha.client(), "moving", "private");
        ImageTestServer.Project beta = server.project("api-beta", "member");
        assertThat(alpha.client().post("/v2/images", Json.object().put("owner", beta.id())).status()).isEqualTo(403);
        assertThat(patch(admin, id, ops(op("replace", "/owner", beta.id()))).status()).isEqualTo(200);
        assertThat(alpha.client().get("/v2/images/" + id).status()).isEqualTo(404);
        assertThat(beta.client().get("/v2/images/" + id).json().path("owner").asText()).isEqualTo(beta.id());
    }
}
