package org.nubes.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/** Visibility and membership between projects, as Glance's rules decide them. */
class ImageSharingTest {
    private static ImageTestServer server;
    private static ApiClient admin;
    private static ImageTestServer.Project owner;
    private static ImageTestServer.Project consumer;
    private static ImageTestServer.Project stranger;

    @BeforeAll
    static void start() {
        server = new ImageTestServer();
        admin = server.admin();
        owner = server.project("share-owner", "member");
        consumer = server.project("share-consumer", "member");
        stranger = server.project("share-stranger", "member");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<String> listed(ApiClient client, String query) {
        return client.get("/v2/images" + query).json().findValuesAsText("id");
    }

    private static ApiClient.Response addMember(ApiClient client, String image, String member) {
        return client.post("/v2/images/" + image + "/members", Json.object().put("member", member));
    }

    private static ApiClient.Response setStatus(ApiClient client, String image, String member, String status) {
        return client.put("/v2/images/" + image + "/members/" + member, Json.object().put("status", status));
    }

    @Test
    void privateImagesOfOtherProjectsDoNotExist() {
        String id = ImageTestServer.createImage(owner.client(), "secret", "private");
        assertThat(stranger.client().get("/v2/images/" + id).status()).isEqualTo(404);
        assertThat(stranger.client().delete("/v2/images/" + id).status()).isEqualTo(404);
        assertThat(server.patch(stranger.client(), id, Json.array().add(Json.object()
                .put("op", "replace").put("path", "/name").put("value", "x"))).status()).isEqualTo(404);
        assertThat(server.download(stranger.client(), id).statusCode()).isEqualTo(404);
        assertThat(listed(stranger.client(), "")).doesNotContain(id);
        assertThat(listed(stranger.client(), "?visibility=private")).doesNotContain(id);
        // The admin sees and changes everything.
        assertThat(admin.get("/v2/images/" + id).status()).isEqualTo(200);
        assertThat(listed(admin, "?limit=1000")).contains(id);
        assertThat(addMember(owner.client(), id, consumer.id()).status()).as("only shared images have members").isEqualTo(403);
    }

    @Test
    void publicImagesAreSeenByAllButChangedOnlyByTheOwnerOrAdmin() {
        var body = Json.object().put("name", "public").put("visibility", "public")
                .put("disk_format", "raw").put("container_format", "bare");
        String id = admin.post("/v2/images", body).json().path("id").asText();
        assertThat(listed(stranger.client(), "")).contains(id);
        assertThat(stranger.client().get("/v2/images/" + id).status()).isEqualTo(200);
        assertThat(server.patch(stranger.client(), id, Json.array().add(Json.object()
                .put("op", "replace").put("path", "/name").put("value", "x"))).status()).isEqualTo(403);
        assertThat(stranger.client().delete("/v2/images/" + id).status()).isEqualTo(403);
    }

    @Test
    void communityImagesAreListedOnlyWhenAskedFor() {
        String id = ImageTestServer.createImage(owner.client(), "community", "community");
        assertThat(listed(stranger.client(), "")).doesNotContain(id);
        assertThat(listed(stranger.client(), "?visibility=community")).contains(id);
        assertThat(stranger.client().get("/v2/images/" + id).status()).isEqualTo(200);
        assertThat(listed(owner.client(), "")).contains(id);
    }

    @Test
    void sharedImagesFollowTheMembersChoice() {
        String id = ImageTestServer.createImage(owner.client(), "shared", "shared");
        assertThat(consumer.client().get("/v2/images/" + id).status()).isEqualTo(404);
        // Only the owner adds members.
        assertThat(addMember(consumer.client(), id, consumer.id()).status()).isEqualTo(404);
        ApiClient.Response added = addMember(owner.client(), id, consumer.id());
        assertThat(added.status()).isEqualTo(200);
        JsonNode member = added.json();
        assertThat(member.path("status").asText()).isEqualTo("pending");
        assertThat(member.path("image_id").asText()).isEqualTo(id);
        assertThat(member.path("member_id").asText()).isEqualTo(consumer.id());
        assertThat(member.path("schema").asText()).isEqualTo("/v2/schemas/member");
        assertThat(addMember(owner.client(), id, consumer.id()).status()).isEqualTo(409);
        assertThat(addMember(owner.client(), id, stranger.id()).status()).isEqualTo(200);

        // Pending: visible by id, not listed unless asked for.
        assertThat(consumer.client().get("/v2/images/" + id).status()).isEqualTo(200);
        assertThat(listed(consumer.client(), "")).doesNotContain(id);
        assertThat(listed(consumer.client(), "?member_status=pending")).contains(id);
        assertThat(listed(consumer.client(), "?visibility=shared&member_status=all")).contains(id);

        // Only the member decides; the owner cannot accept for it.
        assertThat(setStatus(owner.client(), id, consumer.id(), "accepted").status()).isEqualTo(403);
        assertThat(setStatus(consumer.client(), id, stranger.id(), "accepted").status()).isEqualTo(403);
        assertThat(setStatus(consumer.client(), id, consumer.id(), "maybe").status()).isEqualTo(400);
        ApiClient.Response accepted = setStatus(consumer.client(), id, consumer.id(), "accepted");
        assertThat(accepted.status()).isEqualTo(200);
        assertThat(accepted.json().path("status").asText()).isEqualTo("accepted");
        assertThat(listed(consumer.client(), "")).contains(id);
        assertThat(listed(consumer.client(), "?visibility=shared")).contains(id);

        // The owner sees every member, a member only itself.
        assertThat(owner.client().get("/v2/images/" + id + "/members").json().findValuesAsText("member_id"))
                .containsExactlyInAnyOrder(consumer.id(), stranger.id());
        JsonNode own = consumer.client().get("/v2/images/" + id + "/members").json();
        assertThat(own.path("schema").asText()).isEqualTo("/v2/schemas/members");
        assertThat(own.findValuesAsText("member_id")).containsExactly(consumer.id());
        assertThat(consumer.client().get("/v2/images/" + id + "/members/" + consumer.id()).status()).isEqualTo(200);
        assertThat(consumer.client().get("/v2/images/" + id + "/members/" + stranger.id()).status()).isEqualTo(404);

        // A member reads the data but does not change the image.
        assertThat(server.patch(consumer.client(), id, Json.array().add(Json.object()
                .put("op", "replace").put("path", "/name").put("value", "x"))).status()).isEqualTo(403);
        assertThat(consumer.client().delete("/v2/images/" + id + "/members/" + stranger.id()).status()).isEqualTo(403);

        // Rejected: gone from the default list again.
        assertThat(setStatus(consumer.client(), id, consumer.id(), "rejected").status()).isEqualTo(200);
        assertThat(listed(consumer.client(), "")).doesNotContain(id);
        assertThat(listed(consumer.client(), "?member_status=rejected")).contains(id);

        // Removed: not visible at all.
        assertThat(owner.client().delete("/v2/images/" + id + "/members/" + consumer.id()).status()).isEqualTo(204);
        assertThat(consumer.client().get("/v2/images/" + id).status()).isEqualTo(404);
        assertThat(owner.client().delete("/v2/images/" + id + "/members/" + consumer.id()).status()).isEqualTo(404);
    }

    @Test
    void aMemberDownloadsTheSharedData() {
        byte[] data = ImageDataTest.random(4096, 20);
        String id = ImageTestServer.createImage(owner.client(), "shared-data", "shared");
        assertThat(server.upload(owner.client(), id, data).statusCode()).isEqualTo(204);
        assertThat(server.download(consumer.client(), id).statusCode()).isEqualTo(404);
        addMember(owner.client(), id, consumer.id());
        setStatus(consumer.client(), id, consumer.id(), "accepted");
        assertThat(server.download(consumer.client(), id).body()).isEqualTo(data);
        assertThat(server.upload(consumer.client(), id, data).statusCode()).isEqualTo(403);
    }
}
