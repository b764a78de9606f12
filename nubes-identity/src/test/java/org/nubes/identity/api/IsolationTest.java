package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.keys;
import static org.nubes.identity.api.KeystoneAssertions.texts;
import static org.nubes.identity.api.KeystoneAssertions.uniq;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;
import org.nubes.identity.IdentityTestServer;

/**
 * What users without admin may and may not do: a member of project A, a reader of project A, and
 * a reader scoped to a second domain, against Keystone's default policy.
 */
class IsolationTest extends IdentityApiTestBase {
    static void assertForbidden(ApiClient.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(403);
        JsonNode error = r.json().path("error");
        assertThat(keys(error)).containsExactlyInAnyOrder("code", "message", "title");
        assertThat(error.path("code").asInt()).isEqualTo(403);
        assertThat(error.path("title").asText()).isEqualTo("Forbidden");
    }

    String projectA;
    String projectAName;
    String memberId;
    String memberName;
    String memberPassword;
    ApiClient member;
    String projectB;
    String otherUser;

    @BeforeEach
    void twoProjects() {
        projectAName = uniq("a");
        memberName = uniq("member");
        memberPassword = uniq("pw");
        List<String> a = server.projectWithUser(projectAName, memberName, memberPassword, "member");
        projectA = a.get(0);
        memberId = a.get(1);
        member = admin.as(server.token(memberName, memberPassword, projectAName));
        List<String> b = server.projectWithUser(uniq("b"), uniq("other"), "pw", "member");
        projectB = b.get(0);
        otherUser = b.get(1);
    }

    @Test
    void aMemberCannotManageUsers() {
        assertForbidden(member.get("/v3/users"));
        assertForbidden(member.get("/v3/users?domain_id=default"));
        assertForbidden(member.post("/v3/users", "{\"user\": {\"name\": \"%s\"}}".formatted(uniq("u"))));
        assertForbidden(member.patch("/v3/users/" + otherUser, "{\"user\": {\"enabled\": false}}"));
        assertForbidden(member.patch("/v3/users/" + memberId, "{\"user\": {\"name\": \"%s\"}}".formatted(uniq("u"))));
        assertForbidden(member.delete("/v3/users/" + otherUser));
        assertForbidden(member.delete("/v3/users/" + memberId));
        assertThat(admin.get("/v3/users/" + otherUser).json().path("user").path("enabled").asBoolean()).isTrue();
        assertThat(admin.get("/v3/users/" + memberId).json().path("user").path("name").asText()).isEqualTo(memberName);
    }

    @Test
    void aMemberCannotManageProjectsDomainsOrRoles() {
        assertForbidden(member.get("/v3/projects"));
        assertForbidden(member.post("/v3/projects", "{\"project\": {\"name\": \"%s\"}}".formatted(uniq("p"))));
        assertForbidden(member.patch("/v3/projects/" + projectA, "{\"project\": {\"description\": \"mine now\"}}"));
        assertForbidden(member.delete("/v3/projects/" + projectA));
        assertForbidden(member.delete("/v3/projects/" + projectB));
        assertForbidden(member.put("/v3/projects/" + projectA + "/tags/mine", null));
        assertForbidden(member.put("/v3/projects/" + projectA + "/tags", "{\"tags\": []}"));
        assertForbidden(member.post("/v3/roles", "{\"role\": {\"name\": \"%s\"}}".formatted(uniq("r"))));
        assertForbidden(member.delete("/v3/roles/" + roleId("reader")));
        assertForbidden(member.post("/v3/domains", "{\"domain\": {\"name\": \"%s\"}}".formatted(uniq("d"))));
        assertThat(admin.get("/v3/projects/" + projectA).json().path("project").path("description").asText()).isEmpty();
        assertThat(admin.get("/v3/projects/" + projectB).status()).isEqualTo(200);
    }

    @Test
    void aMemberCannotGrantRoles() {
        assertForbidden(member.put("/v3/projects/" + projectA + "/users/" + memberId + "/roles/" + roleId("admin"), null));
        assertForbidden(member.put("/v3/projects/" + projectB + "/users/" + memberId + "/roles/" + roleId("member"), null));
        assertForbidden(member.put("/v3/projects/" + projectA + "/users/" + otherUser + "/roles/" + roleId("member"), null));
        assertForbidden(member.put("/v3/domains/default/users/" + memberId + "/roles/" + roleId("admin"), null));
        assertForbidden(member.put("/v3/system/users/" + memberId + "/roles/" + roleId("admin"), null));
        assertForbidden(member.put("/v3/OS-INHERIT/domains/default/users/" + memberId + "/roles/" + roleId("admin")
                + "/inherited_to_projects", null));
        assertForbidden(member.delete("/v3/projects/" + projectB + "/users/" + otherUser + "/roles/" + roleId("member")));
        assertForbidden(member.get("/v3/projects/" + projectB + "/users/" + otherUser + "/roles"));
        assertForbidden(member.get("/v3/role_assignments"));
        assertThat(admin.get("/v3/role_assignments?user.id=" + memberId).json().path("role_assignments")).hasSize(1);
    }

    @Test
    void aMemberReadsItsProjectButNotAnother() {
        ApiClient.Response own = member.get("/v3/projects/" + projectA);
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.json().path("project").path("id").asText()).isEqualTo(projectA);
        assertThat(member.get("/v3/projects/" + projectA + "/tags").status()).isEqualTo(200);
        assertForbidden(member.get("/v3/projects/" + projectB));
        assertForbidden(member.get("/v3/projects/" + projectB + "/tags"));
        // a project that does not exist is 404 for anybody
        assertThat(member.get("/v3/projects/no-such-project").status()).isEqualTo(404);
    }

    @Test
    void aMemberReadsItselfButNotAnotherUser() {
        ApiClient.Response self = member.get("/v3/users/" + memberId);
        assertThat(self.status()).isEqualTo(200);
        assertThat(self.json().path("user").path("name").asText()).isEqualTo(memberName);
        assertForbidden(member.get("/v3/users/" + otherUser));
        assertForbidden(member.get("/v3/users/" + otherUser + "/projects"));
        assertForbidden(member.get("/v3/users/" + otherUser + "/groups"));
        assertThat(member.get("/v3/users/" + memberId + "/groups").status()).isEqualTo(200);
    }

    @Test
    void aMemberListsOnlyItsOwnProjects() {
        ApiClient.Response mine = member.get("/v3/users/" + memberId + "/projects");
        assertThat(mine.status()).isEqualTo(200);
        assertThat(texts(mine.json().path("projects"), "id")).containsExactly(projectA);
        ApiClient.Response auth = member.get("/v3/auth/projects");
        assertThat(auth.status()).isEqualTo(200);
        assertThat(texts(auth.json().path("projects"), "id")).containsExactly(projectA);
        assertThat(member.get("/v3/auth/domains").json().path("domains")).isEmpty();
        assertThat(member.get("/v3/auth/system").json().path("system")).isEmpty();
    }

    @Test
    void aMemberChangesItsOwnPasswordButNoOneElses() {
        // without the other user's password there is no way to set a new one for them
        ApiClient.Response denied = member.post("/v3/users/" + otherUser + "/password",
                "{\"user\": {\"original_password\": \"guess\", \"password\": \"new\"}}");
        assertThat(denied.status()).as(denied.text()).isIn(401, 403);
        assertThat(server.anonymous().post("/v3/auth/tokens", "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"id\": \"%s\", \"password\": \"pw\"}}}}}"
                .formatted(otherUser)).status()).isEqualTo(201);
        String newPassword = uniq("new");
        ApiClient.Response r = member.post("/v3/users/" + memberId + "/password",
                "{\"user\": {\"original_password\": \"%s\", \"password\": \"%s\"}}".formatted(memberPassword, newPassword));
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        assertThat(server.token(memberName, newPassword, projectAName)).isNotBlank();
        assertThat(server.anonymous().post("/v3/auth/tokens", IdentityTestServer.passwordAuth(memberName, memberPassword, null)).status())
                .isEqualTo(401);
    }

    @Test
    void aMemberValidatesOnlyItsOwnTokens() {
        String own = server.token(memberName, memberPassword, null);
        assertThat(member.send("GET", "/v3/auth/tokens", null, "X-Subject-Token", own).status()).isEqualTo(200);
        String adminToken = admin.token();
        assertForbidden(member.send("GET", "/v3/auth/tokens", null, "X-Subject-Token", adminToken));
        assertForbidden(member.send("DELETE", "/v3/auth/tokens", null, "X-Subject-Token", adminToken));
        assertThat(admin.get("/v3/users/" + memberId).status()).isEqualTo(200);
    }

    @Test
    void aReaderReadsItsProjectButChangesNothing() {
        String project = uniq("r");
        String name = uniq("reader");
        List<String> ids = server.projectWithUser(project, name, "pw", "reader");
        ApiClient reader = admin.as(server.token(name, "pw", project));
        assertThat(reader.get("/v3/projects/" + ids.get(0)).status()).isEqualTo(200);
        assertThat(reader.get("/v3/projects/" + ids.get(0) + "/tags").status()).isEqualTo(200);
        assertThat(reader.get("/v3/users/" + ids.get(1)).status()).isEqualTo(200);
        assertForbidden(reader.get("/v3/projects/" + projectA));
        assertForbidden(reader.patch("/v3/projects/" + ids.get(0), "{\"project\": {\"name\": \"%s\"}}".formatted(uniq("x"))));
        assertForbidden(reader.put("/v3/projects/" + ids.get(0) + "/tags/x", null));
        assertForbidden(reader.delete("/v3/projects/" + ids.get(0)));
        assertForbidden(reader.patch("/v3/users/" + ids.get(1), "{\"user\": {\"enabled\": false}}"));
        assertForbidden(reader.post("/v3/users", "{\"user\": {\"name\": \"%s\"}}".formatted(uniq("u"))));
        assertForbidden(reader.put("/v3/projects/" + ids.get(0) + "/users/" + ids.get(1) + "/roles/" + roleId("member"), null));
        assertForbidden(reader.get("/v3/users"));
        assertThat(admin.get("/v3/projects/" + ids.get(0)).json().path("project").path("name").asText()).isEqualTo(project);
        assertThat(admin.head("/v3/projects/" + ids.get(0) + "/users/" + ids.get(1) + "/roles/" + roleId("member")).status()).isEqualTo(404);
    }

    @Test
    void aDomainReaderSeesOnlyItsDomain() {
        String domainName = uniq("d2");
        String domain = admin.post("/v3/domains", "{\"domain\": {\"name\": \"%s\"}}".formatted(domainName)).json()
                .path("domain").path("id").asText();
        String readerId = admin.post("/v3/users", "{\"user\": {\"name\": \"reader\", \"domain_id\": \"%s\", \"password\": \"pw\"}}"
                .formatted(domain)).json().path("user").path("id").asText();
        String colleague = admin.post("/v3/users", "{\"user\": {\"name\": \"colleague\", \"domain_id\": \"%s\"}}"
                .formatted(domain)).json().path("user").path("id").asText();
        String inside = admin.post("/v3/projects", "{\"project\": {\"name\": \"inside\", \"domain_id\": \"%s\"}}"
                .formatted(domain)).json().path("project").path("id").asText();
        assertThat(admin.put("/v3/domains/" + domain + "/users/" + readerId + "/roles/" + roleId("reader"), null).status()).isEqualTo(204);

        ApiClient.Response issued = server.anonymous().post("/v3/auth/tokens",
                "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": \"reader\", \"domain\": {\"name\": \"%s\"}, \"password\": \"pw\"}}}, \"scope\": {\"domain\": {\"name\": \"%s\"}}}}"
                        .formatted(domainName, domainName));
        assertThat(issued.status()).as(issued.text()).isEqualTo(201);
        ApiClient reader = admin.as(issued.header("X-Subject-Token"));

        ApiClient.Response users = reader.get("/v3/users");
        assertThat(users.status()).as(users.text()).isEqualTo(200);
        assertThat(texts(users.json().path("users"), "id")).containsExactlyInAnyOrder(readerId, colleague);
        assertThat(texts(reader.get("/v3/users?domain_id=" + domain).json().path("users"), "id")).containsExactlyInAnyOrder(readerId, colleague);
        assertForbidden(reader.get("/v3/users?domain_id=default"));
        assertThat(reader.get("/v3/users/" + colleague).status()).isEqualTo(200);
        assertForbidden(reader.get("/v3/users/" + memberId));

        assertThat(texts(reader.get("/v3/projects").json().path("projects"), "id")).containsExactly(inside);
        assertThat(reader.get("/v3/projects/" + inside).status()).isEqualTo(200);
        assertForbidden(reader.get("/v3/projects/" + projectA));
        assertThat(reader.get("/v3/domains/" + domain).status()).isEqualTo(200);
        assertForbidden(reader.get("/v3/domains/default"));

        assertForbidden(reader.post("/v3/users", "{\"user\": {\"name\": \"new\", \"domain_id\": \"%s\"}}".formatted(domain)));
        assertForbidden(reader.patch("/v3/users/" + colleague, "{\"user\": {\"enabled\": false}}"));
        assertForbidden(reader.post("/v3/projects", "{\"project\": {\"name\": \"new\", \"domain_id\": \"%s\"}}".formatted(domain)));

        // role assignments: without a scope only those inside the reader's domain; another domain is refused
        ApiClient.Response assignments = reader.get("/v3/role_assignments");
        assertThat(assignments.status()).as(assignments.text()).isEqualTo(200);
        assertThat(assignments.json().path("role_assignments")).isNotEmpty().allSatisfy(a ->
                assertThat(a.path("scope").path("domain").path("id").asText()).isEqualTo(domain));
        assertForbidden(reader.get("/v3/role_assignments?scope.domain.id=default"));
        assertForbidden(reader.get("/v3/role_assignments?scope.project.id=" + projectA));
    }
}
