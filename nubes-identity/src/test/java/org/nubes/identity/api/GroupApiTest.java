package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.ids;
import static org.nubes.identity.api.KeystoneAssertions.texts;
import static org.nubes.identity.api.KeystoneAssertions.wrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/** /v3/groups and group membership through HTTP. */
class GroupApiTest extends IdentityApiTestBase {
    private static ApiClient member;
    private static String memberId;

    @BeforeAll
    static void start() {
        memberId = server.projectWithUser("group-project", "group-member", "member-secret", "member").get(1);
        member = admin.as(server.token("group-member", "member-secret", "group-project"));
    }

    @Test
    void createsShowsUpdatesAndDeletesAGroup() {
        ApiClient.Response created = admin.post("/v3/groups", group("crud", null));
        assertThat(created.status()).isEqualTo(201);
        JsonNode group = created.json().path("group");
        String id = group.path("id").asText();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(group.path("name").asText()).isEqualTo("crud");
        assertThat(group.path("domain_id").asText()).isEqualTo("default");
        assertThat(group.path("description").asText()).isEmpty();
        assertThat(group.path("links").path("self").asText()).endsWith("/v3/groups/" + id);

        assertThat(admin.get("/v3/groups/" + id).json().path("group").path("name").asText()).isEqualTo("crud");

        ApiClient.Response patched = admin.patch("/v3/groups/" + id,
                wrap("group", Json.object().put("name", "crud2").put("description", "renamed")));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().path("group").path("name").asText()).isEqualTo("crud2");
        assertThat(patched.json().path("group").path("description").asText()).isEqualTo("renamed");

        assertThat(admin.delete("/v3/groups/" + id).status()).isEqualTo(204);
        ApiClient.Response gone = admin.get("/v3/groups/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("error").path("message").asText()).isEqualTo("Could not find group: " + id + ".");
        assertThat(admin.delete("/v3/groups/" + id).status()).isEqualTo(404);
        assertThat(admin.patch("/v3/groups/" + id, wrap("group", Json.object().put("name", "x"))).status()).isEqualTo(404);
    }

    @Test
    void rejectsBadInputAndDuplicateNames() {
        assertThat(admin.post("/v3/groups", wrap("group", Json.object().put("description", "nameless"))).status()).isEqualTo(400);
        assertThat(admin.post("/v3/groups", group("  ", null)).status()).isEqualTo(400);
        assertThat(admin.post("/v3/groups", "[]").status()).isEqualTo(400);
        ApiClient.Response noDomain = admin.post("/v3/groups", group("lost", "no-such-domain"));
        assertThat(noDomain.status()).isEqualTo(404);
        assertThat(noDomain.json().path("error").path("message").asText()).isEqualTo("Could not find domain: no-such-domain.");

        String id = admin.post("/v3/groups", group("dup", null)).json().path("group").path("id").asText();
        assertThat(admin.post("/v3/groups", group("dup", null)).status()).isEqualTo(409);
        admin.post("/v3/groups", group("dup-other", null));
        assertThat(admin.patch("/v3/groups/" + id, wrap("group", Json.object().put("name", "dup-other"))).status()).isEqualTo(409);
        ApiClient.Response move = admin.patch("/v3/groups/" + id, wrap("group", Json.object().put("domain_id", "elsewhere")));
        assertThat(move.status()).isEqualTo(400);
        assertThat(move.json().path("error").path("message").asText()).isEqualTo("Cannot change Domain ID");
        assertThat(admin.patch("/v3/groups/" + id, wrap("group", Json.object())).status()).isEqualTo(400);
    }

    @Test
    void listsGroupsByName() {
        String id = admin.post("/v3/groups", group("listed", null)).json().path("group").path("id").asText();
        assertThat(ids(admin.get("/v3/groups?name=listed").json().path("groups"))).containsExactly(id);
        assertThat(ids(admin.get("/v3/groups?domain_id=default").json().path("groups"))).contains(id);
        assertThat(admin.get("/v3/groups?domain_id=elsewhere").json().path("groups").size()).isZero();
    }

    @Test
    void addsChecksListsAndRemovesMembers() {
        String group = admin.post("/v3/groups", group("members", null)).json().path("group").path("id").asText();
        String path = "/v3/groups/" + group + "/users/" + memberId;

        assertThat(admin.head(path).status()).isEqualTo(404);
        assertThat(admin.put(path, null).status()).isEqualTo(204);
        assertThat(admin.put(path, null).status()).isEqualTo(204);
        assertThat(admin.head(path).status()).isEqualTo(204);
        assertThat(admin.get(path).status()).isEqualTo(204);

        JsonNode users = admin.get("/v3/groups/" + group + "/users").json().path("users");
        assertThat(ids(users)).containsExactly(memberId);
        assertThat(users.path(0).path("name").asText()).isEqualTo("group-member");
        assertThat(ids(admin.get("/v3/users/" + memberId + "/groups").json().path("groups"))).contains(group);

        assertThat(admin.delete(path).status()).isEqualTo(204);
        ApiClient.Response again = admin.delete(path);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().path("error").path("message").asText())
                .isEqualTo("User '" + memberId + "' not found in group '" + group + "'");
        assertThat(admin.get("/v3/groups/" + group + "/users").json().path("users").size()).isZero();
    }

    @Test
    void membershipOfUnknownUsersOrGroupsIsNotFound() {
        String group = admin.post("/v3/groups", group("unknowns", null)).json().path("group").path("id").asText();
        ApiClient.Response noUser = admin.put("/v3/groups/" + group + "/users/nobody", null);
        assertThat(noUser.status()).isEqualTo(404);
        assertThat(noUser.json().path("error").path("message").asText()).isEqualTo("Could not find user: nobody.");
        ApiClient.Response noGroup = admin.put("/v3/groups/nogroup/users/" + memberId, null);
        assertThat(noGroup.status()).isEqualTo(404);
        assertThat(noGroup.json().path("error").path("message").asText()).isEqualTo("Could not find group: nogroup.");
        assertThat(admin.head("/v3/groups/nogroup/users/" + memberId).status()).isEqualTo(404);
        assertThat(admin.head("/v3/groups/" + group + "/users/nobody").status()).isEqualTo(404);
        assertThat(admin.delete("/v3/groups/nogroup/users/" + memberId).json().path("error").path("message").asText())
                .isEqualTo("Could not find group: nogroup.");
        assertThat(admin.get("/v3/groups/nogroup/users").status()).isEqualTo(404);
    }

    @Test
    void rolesGrantedToAGroupComeAndGoWithMembership() {
        List<String> ids = server.projectWithUser("grouped-project", "grouped-user", "grouped-secret", "reader");
        String project = ids.get(0);
        String user = ids.get(1);
        String group = admin.post("/v3/groups", group("role-holders", null)).json().path("group").path("id").asText();
        String memberRole = admin.get("/v3/roles?name=member").json().path("roles").path(0).path("id").asText();
        assertThat(admin.put("/v3/projects/" + project + "/groups/" + group + "/roles/" + memberRole, null).status())
                .isEqualTo(204);
        assertThat(admin.put("/v3/groups/" + group + "/users/" + user, null).status()).isEqualTo(204);

        String token = server.token("grouped-user", "grouped-secret", "grouped-project");
        assertThat(roleNames(admin.send("GET", "/v3/auth/tokens", null, "X-Subject-Token", token))).contains("member", "reader");

        assertThat(admin.delete("/v3/groups/" + group + "/users/" + user).status()).isEqualTo(204);
        // the same token now carries only the role the user holds directly
        assertThat(roleNames(admin.send("GET", "/v3/auth/tokens", null, "X-Subject-Token", token))).containsExactly("reader");
    }

    @Test
    void onlyAdminsManageGroupsAndProjectMembersCannotReadThem() {
        String group = admin.post("/v3/groups", group("guarded", null)).json().path("group").path("id").asText();
        String path = "/v3/groups/" + group + "/users/" + memberId;
        assertThat(server.anonymous().get("/v3/groups").status()).isEqualTo(401);
        assertThat(server.anonymous().put(path, null).status()).isEqualTo(401);
        assertThat(member.get("/v3/groups").status()).isEqualTo(403);
        assertThat(member.post("/v3/groups", group("mine", null)).status()).isEqualTo(403);
        assertThat(member.get("/v3/groups/" + group).status()).isEqualTo(403);
        // a caller who may not read groups cannot tell a missing group from a hidden one
        assertThat(member.get("/v3/groups/nogroup").status()).isEqualTo(403);
        assertThat(member.patch("/v3/groups/" + group, wrap("group", Json.object().put("name", "x"))).status()).isEqualTo(403);
        assertThat(member.delete("/v3/groups/" + group).status()).isEqualTo(403);
        assertThat(member.get("/v3/groups/" + group + "/users").status()).isEqualTo(403);
        assertThat(member.put(path, null).status()).isEqualTo(403);
        assertThat(member.head(path).status()).isEqualTo(403);
        assertThat(member.delete(path).status()).isEqualTo(403);
    }

    private static List<String> roleNames(ApiClient.Response validation) {
        assertThat(validation.status()).isEqualTo(200);
        return texts(validation.json().path("token").path("roles"), "name");
    }

    private static ObjectNode group(String name, String domainId) {
        ObjectNode group = Json.object().put("name", name);
        if (domainId != null) {
            group.put("domain_id", domainId);
        }
        return wrap("group", group);
    }
}
