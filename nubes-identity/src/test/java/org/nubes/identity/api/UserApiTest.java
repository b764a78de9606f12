package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.assertFault;
import static org.nubes.identity.api.KeystoneAssertions.assertInvalid;
import static org.nubes.identity.api.KeystoneAssertions.keys;
import static org.nubes.identity.api.KeystoneAssertions.texts;
import static org.nubes.identity.api.KeystoneAssertions.uniq;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;
import org.nubes.identity.IdentityTestServer;

/** /v3/users through HTTP: CRUD, filters, conflicts, bad input, the user's projects and password. */
class UserApiTest extends IdentityApiTestBase {
    static JsonNode create(String body) {
        ApiClient.Response r = admin.post("/v3/users", body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("user");
    }

    @Test
    void createAnswers201WithKeystoneUserAndNoPassword() {
        String name = uniq("u");
        ApiClient.Response r = admin.post("/v3/users",
                "{\"user\": {\"name\": \"%s\", \"domain_id\": \"default\", \"password\": \"secret\", \"email\": \"a@example.com\"}}"
                        .formatted(name));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(keys(r.json())).containsExactly("user");
        JsonNode user = r.json().path("user");
        assertThat(keys(user)).containsExactlyInAnyOrder("id", "name", "domain_id", "enabled", "password_expires_at",
                "options", "links", "email");
        assertThat(user.path("id").asText()).matches("[0-9a-f]{32}");
        assertThat(user.path("name").asText()).isEqualTo(name);
        assertThat(user.path("domain_id").asText()).isEqualTo("default");
        assertThat(user.path("enabled").asBoolean()).isTrue();
        assertThat(user.path("password_expires_at").isNull()).isTrue();
        assertThat(user.path("email").asText()).isEqualTo("a@example.com");
        assertThat(user.path("links").path("self").asText()).isEqualTo(server.url() + "/v3/users/" + user.path("id").asText());
        assertThat(r.text()).doesNotContain("secret");

        // the password works
        assertThat(server.anonymous().post("/v3/auth/tokens", IdentityTestServer.passwordAuth(name, "secret", null)).status())
                .isEqualTo(201);
    }

    @Test
    void createWithDefaultsAndDefaultProject() {
        String project = admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\"}}".formatted(uniq("p"))).json()
                .path("project").path("id").asText();
        JsonNode user = create("{\"user\": {\"name\": \"%s\", \"enabled\": false, \"default_project_id\": \"%s\"}}"
                .formatted(uniq("u"), project));
        assertThat(user.path("domain_id").asText()).as("domain of an admin's project token").isEqualTo("default");
        assertThat(user.path("enabled").asBoolean()).isFalse();
        assertThat(user.path("default_project_id").asText()).isEqualTo(project);
    }

    @Test
    void showAnswersTheUserAnd404ForAnUnknownOne() {
        JsonNode user = create("{\"user\": {\"name\": \"%s\"}}".formatted(uniq("u")));
        ApiClient.Response r = admin.get("/v3/users/" + user.path("id").asText());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("user")).isEqualTo(user);

        ApiClient.Response missing = admin.get("/v3/users/no-such-user");
        assertFault(missing, 404, "Not Found");
        assertThat(missing.json().path("error").path("message").asText()).contains("no-such-user");
    }

    @Test
    void listAndFilters() {
        String domain = newDomain();
        String a = uniq("a");
        String b = uniq("b");
        create("{\"user\": {\"name\": \"%s\", \"domain_id\": \"%s\"}}".formatted(a, domain));
        create("{\"user\": {\"name\": \"%s\", \"domain_id\": \"%s\", \"enabled\": false}}".formatted(b, domain));

        ApiClient.Response all = admin.get("/v3/users");
        assertThat(all.status()).isEqualTo(200);
        assertThat(keys(all.json())).containsExactlyInAnyOrder("users", "links");
        assertThat(keys(all.json().path("links"))).containsExactlyInAnyOrder("self", "previous", "next");
        assertThat(texts(all.json().path("users"), "name")).contains("admin", "nubes", a, b);

        assertThat(texts(admin.get("/v3/users?domain_id=" + domain).json().path("users"), "name")).containsExactlyInAnyOrder(a, b);
        assertThat(texts(admin.get("/v3/users?name=" + a).json().path("users"), "name")).containsExactly(a);
        assertThat(texts(admin.get("/v3/users?domain_id=" + domain + "&enabled=false").json().path("users"), "name"))
                .containsExactly(b);
        assertThat(texts(admin.get("/v3/users?domain_id=" + domain + "&enabled=true").json().path("users"), "name"))
                .containsExactly(a);
        assertThat(admin.get("/v3/users?name=nobody-has-this-name").json().path("users")).isEmpty();
    }

    @Test
    void updateChangesOnlyWhatIsGiven() {
        JsonNode user = create("{\"user\": {\"name\": \"%s\", \"email\": \"old@example.com\", \"team\": \"x\"}}".formatted(uniq("u")));
        String id = user.path("id").asText();
        String renamed = uniq("renamed");
        ApiClient.Response r = admin.patch("/v3/users/" + id,
                "{\"user\": {\"name\": \"%s\", \"email\": \"new@example.com\", \"enabled\": false}}".formatted(renamed));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode updated = r.json().path("user");
        assertThat(updated.path("name").asText()).isEqualTo(renamed);
        assertThat(updated.path("email").asText()).isEqualTo("new@example.com");
        assertThat(updated.path("team").asText()).isEqualTo("x");
        assertThat(updated.path("enabled").asBoolean()).isFalse();
        assertThat(updated.path("domain_id").asText()).isEqualTo("default");
        assertThat(admin.get("/v3/users/" + id).json().path("user")).isEqualTo(updated);

        assertInvalid(admin.patch("/v3/users/" + id, "{\"user\": {\"domain_id\": \"%s\"}}".formatted(newDomain())));
        assertThat(admin.patch("/v3/users/" + id, "{\"user\": {\"domain_id\": \"default\"}}").status()).isEqualTo(200);
        assertFault(admin.patch("/v3/users/no-such-user", "{\"user\": {\"name\": \"x\"}}"), 404, "Not Found");
    }

    @Test
    void deleteAnswers204ThenTheUserIsGone() {
        String id = create("{\"user\": {\"name\": \"%s\"}}".formatted(uniq("u"))).path("id").asText();
        ApiClient.Response r = admin.delete("/v3/users/" + id);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.text()).isEmpty();
        assertFault(admin.get("/v3/users/" + id), 404, "Not Found");
        assertFault(admin.delete("/v3/users/" + id), 404, "Not Found");
    }

    @Test
    void deletingAUserRemovesItsRoleAssignments() {
        String project = uniq("p");
        List<String> ids = server.projectWithUser(project, uniq("u"), "pw", "member");
        assertThat(admin.delete("/v3/users/" + ids.get(1)).status()).isEqualTo(204);
        assertThat(admin.get("/v3/role_assignments?scope.project.id=" + ids.get(0)).json().path("role_assignments")).isEmpty();
    }

    @Test
    void duplicateNameIs409InTheSameDomainButFineInAnother() {
        String name = uniq("dup");
        create("{\"user\": {\"name\": \"%s\", \"domain_id\": \"default\"}}".formatted(name));
        ApiClient.Response conflict = admin.post("/v3/users", "{\"user\": {\"name\": \"%s\", \"domain_id\": \"default\"}}".formatted(name));
        assertFault(conflict, 409, "Conflict");
        assertThat(conflict.json().path("error").path("message").asText()).contains(name);

        String domain = newDomain();
        assertThat(create("{\"user\": {\"name\": \"%s\", \"domain_id\": \"%s\"}}".formatted(name, domain))
                .path("domain_id").asText()).isEqualTo(domain);

        String other = create("{\"user\": {\"name\": \"%s\"}}".formatted(uniq("u"))).path("id").asText();
        assertFault(admin.patch("/v3/users/" + other, "{\"user\": {\"name\": \"%s\"}}".formatted(name)), 409, "Conflict");
    }

    @Test
    void badInputIs400AndCreatesNothing() {
        String name = uniq("bad");
        assertFault(admin.post("/v3/users", "{\"user\": {\"name\": "), 400, "Bad Request");
        assertFault(admin.post("/v3/users", "not json at all"), 400, "Bad Request");
        assertInvalid(admin.post("/v3/users", "{}"));
        assertInvalid(admin.post("/v3/users", "{\"user\": \"%s\"}".formatted(name)));
        assertInvalid(admin.post("/v3/users", "{\"user\": {}}"));
        assertInvalid(admin.post("/v3/users", "{\"user\": {\"name\": \"\"}}"));
        assertInvalid(admin.post("/v3/users", "{\"user\": {\"name\": 42}}"));
        assertInvalid(admin.post("/v3/users", "{\"user\": {\"name\": \"%s\", \"enabled\": \"yes\"}}".formatted(name)));
        assertInvalid(admin.post("/v3/users", "{\"user\": {\"name\": \"%s\", \"password\": 12345}}".formatted(name)));
        assertInvalid(admin.post("/v3/users", "{\"user\": {\"name\": \"%s\", \"domain_id\": [\"default\"]}}".formatted(name)));
        assertInvalid(admin.post("/v3/users", "{\"user\": {\"name\": \"%s\"}}".formatted("x".repeat(256))));
        assertThat(admin.get("/v3/users?name=" + name).json().path("users")).isEmpty();

        String id = create("{\"user\": {\"name\": \"%s\"}}".formatted(uniq("u"))).path("id").asText();
        assertInvalid(admin.patch("/v3/users/" + id, "{\"user\": {\"enabled\": \"no\"}}"));
        assertInvalid(admin.patch("/v3/users/" + id, "{\"user\": {\"name\": null}}"));
        assertInvalid(admin.patch("/v3/users/" + id, "{\"user\": []}"));
        assertFault(admin.patch("/v3/users/" + id, "{"), 400, "Bad Request");
        assertThat(admin.get("/v3/users/" + id).json().path("user").path("enabled").asBoolean()).isTrue();
    }

    @Test
    void everyRouteNeedsAToken() {
        String id = create("{\"user\": {\"name\": \"%s\"}}".formatted(uniq("u"))).path("id").asText();
        ApiClient anonymous = server.anonymous();
        assertFault(anonymous.get("/v3/users"), 401, "Unauthorized");
        assertFault(anonymous.post("/v3/users", "{\"user\": {\"name\": \"%s\"}}".formatted(uniq("u"))), 401, "Unauthorized");
        assertFault(anonymous.get("/v3/users/" + id), 401, "Unauthorized");
        assertFault(anonymous.patch("/v3/users/" + id, "{\"user\": {\"enabled\": false}}"), 401, "Unauthorized");
        assertFault(anonymous.delete("/v3/users/" + id), 401, "Unauthorized");
        assertFault(anonymous.get("/v3/users/" + id + "/projects"), 401, "Unauthorized");
        assertFault(anonymous.get("/v3/users/" + id + "/groups"), 401, "Unauthorized");
        assertFault(admin.as("not-a-token").get("/v3/users"), 401, "Unauthorized");
        assertThat(admin.get("/v3/users/" + id).json().path("user").path("enabled").asBoolean()).isTrue();
    }

    @Test
    void projectsOfAUser() {
        String project = uniq("p");
        List<String> ids = server.projectWithUser(project, uniq("u"), "pw", "reader");
        ApiClient.Response r = admin.get("/v3/users/" + ids.get(1) + "/projects");
        assertThat(r.status()).isEqualTo(200);
        assertThat(texts(r.json().path("projects"), "id")).containsExactly(ids.get(0));
        assertThat(r.json().path("projects").path(0).path("name").asText()).isEqualTo(project);
        assertThat(r.json().path("links").path("self").asText()).endsWith("/v3/users/" + ids.get(1) + "/projects");
        assertThat(admin.get("/v3/users/" + ids.get(1) + "/projects?name=" + project).json().path("projects")).hasSize(1);
        assertThat(admin.get("/v3/users/" + ids.get(1) + "/projects?name=other").json().path("projects")).isEmpty();
        assertFault(admin.get("/v3/users/no-such-user/projects"), 404, "Not Found");
    }

    @Test
    void groupsOfAUserStartEmpty() {
        String id = create("{\"user\": {\"name\": \"%s\"}}".formatted(uniq("u"))).path("id").asText();
        ApiClient.Response r = admin.get("/v3/users/" + id + "/groups");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("groups")).isEmpty();
        assertFault(admin.get("/v3/users/no-such-user/groups"), 404, "Not Found");
    }

    @Test
    void changePassword() {
        String name = uniq("u");
        String id = create("{\"user\": {\"name\": \"%s\", \"password\": \"first\"}}".formatted(name)).path("id").asText();
        String token = server.token(name, "first", null);
        ApiClient self = admin.as(token);

        assertInvalid(self.post("/v3/users/" + id + "/password", "{\"user\": {\"password\": \"second\"}}"));
        assertInvalid(self.post("/v3/users/" + id + "/password", "{\"user\": {\"original_password\": \"first\"}}"));
        assertInvalid(self.post("/v3/users/" + id + "/password", "{\"user\": {\"original_password\": \"first\", \"password\": 2}}"));
        assertFault(self.post("/v3/users/" + id + "/password",
                "{\"user\": {\"original_password\": \"wrong\", \"password\": \"second\"}}"), 401, "Unauthorized");
        // the original password authorises the change, so an unknown user looks like a wrong password
        assertFault(self.post("/v3/users/no-such-user/password",
                "{\"user\": {\"original_password\": \"first\", \"password\": \"second\"}}"), 401, "Unauthorized");
        // and no token is needed (a user whose password expired has none)
        assertThat(server.anonymous().post("/v3/users/" + id + "/password",
                "{\"user\": {\"original_password\": \"wrong\", \"password\": \"second\"}}").status()).isEqualTo(401);

        ApiClient.Response r = self.post("/v3/users/" + id + "/password",
                "{\"user\": {\"original_password\": \"first\", \"password\": \"second\"}}");
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        assertThat(r.text()).isEmpty();
        assertThat(server.anonymous().post("/v3/auth/tokens", IdentityTestServer.passwordAuth(name, "first", null)).status())
                .isEqualTo(401);
        assertThat(server.anonymous().post("/v3/auth/tokens", IdentityTestServer.passwordAuth(name, "second", null)).status())
                .isEqualTo(201);
    }
}
