package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.assertFault;
import static org.nubes.identity.api.KeystoneAssertions.assertInvalid;
import static org.nubes.identity.api.KeystoneAssertions.keys;
import static org.nubes.identity.api.KeystoneAssertions.texts;
import static org.nubes.identity.api.KeystoneAssertions.uniq;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;

/** /v3/domains through HTTP: CRUD, what deleting a domain takes with it, conflicts and bad input. */
class DomainApiTest extends IdentityApiTestBase {
    static JsonNode create(String body) {
        ApiClient.Response r = admin.post("/v3/domains", body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("domain");
    }

    @Test
    void createAnswers201WithKeystoneDomain() {
        String name = uniq("d");
        ApiClient.Response r = admin.post("/v3/domains", "{\"domain\": {\"name\": \"%s\", \"description\": \"a domain\"}}".formatted(name));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(keys(r.json())).containsExactly("domain");
        JsonNode d = r.json().path("domain");
        assertThat(keys(d)).containsExactlyInAnyOrder("id", "name", "description", "enabled", "tags", "options", "links");
        assertThat(d.path("id").asText()).matches("[0-9a-f]{32}");
        assertThat(d.path("name").asText()).isEqualTo(name);
        assertThat(d.path("description").asText()).isEqualTo("a domain");
        assertThat(d.path("enabled").asBoolean()).isTrue();
        assertThat(d.path("links").path("self").asText()).isEqualTo(server.url() + "/v3/domains/" + d.path("id").asText());

        ApiClient.Response shown = admin.get("/v3/domains/" + d.path("id").asText());
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().path("domain")).isEqualTo(d);
    }

    @Test
    void theDefaultDomainExists() {
        JsonNode d = admin.get("/v3/domains/default").json().path("domain");
        assertThat(d.path("name").asText()).isEqualTo("Default");
        assertThat(d.path("enabled").asBoolean()).isTrue();
    }

    @Test
    void explicitDomainId() {
        String id = "explicit" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        JsonNode d = create("{\"domain\": {\"name\": \"%s\", \"explicit_domain_id\": \"%s\"}}".formatted(uniq("d"), id));
        assertThat(d.path("id").asText()).isEqualTo(id);
        assertThat(keys(d)).doesNotContain("explicit_domain_id");
    }

    @Test
    void listAndFilters() {
        String a = uniq("a");
        String b = uniq("b");
        create("{\"domain\": {\"name\": \"%s\"}}".formatted(a));
        create("{\"domain\": {\"name\": \"%s\", \"enabled\": false}}".formatted(b));
        ApiClient.Response all = admin.get("/v3/domains");
        assertThat(all.status()).isEqualTo(200);
        assertThat(keys(all.json())).containsExactlyInAnyOrder("domains", "links");
        assertThat(texts(all.json().path("domains"), "name")).contains("Default", a, b);
        assertThat(texts(admin.get("/v3/domains?name=" + a).json().path("domains"), "name")).containsExactly(a);
        assertThat(texts(admin.get("/v3/domains?enabled=false").json().path("domains"), "name")).contains(b).doesNotContain(a, "Default");
    }

    @Test
    void update() {
        String id = create("{\"domain\": {\"name\": \"%s\", \"description\": \"before\"}}".formatted(uniq("d"))).path("id").asText();
        String renamed = uniq("renamed");
        ApiClient.Response r = admin.patch("/v3/domains/" + id, "{\"domain\": {\"name\": \"%s\", \"description\": \"after\"}}".formatted(renamed));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("domain").path("name").asText()).isEqualTo(renamed);
        assertThat(r.json().path("domain").path("description").asText()).isEqualTo("after");
        assertThat(r.json().path("domain").path("enabled").asBoolean()).isTrue();
        assertThat(admin.get("/v3/domains/" + id).json().path("domain")).isEqualTo(r.json().path("domain"));

        assertInvalid(admin.patch("/v3/domains/" + id, "{\"domain\": {\"enabled\": \"no\"}}"));
        assertInvalid(admin.patch("/v3/domains/" + id, "{\"domain\": {\"name\": 5}}"));
        assertFault(admin.patch("/v3/domains/no-such-domain", "{\"domain\": {\"name\": \"x\"}}"), 404, "Not Found");
    }

    @Test
    void deletingAnEnabledDomainIs403() {
        String id = create("{\"domain\": {\"name\": \"%s\"}}".formatted(uniq("d"))).path("id").asText();
        assertFault(admin.delete("/v3/domains/" + id), 403, "Forbidden");
        assertThat(admin.get("/v3/domains/" + id).status()).isEqualTo(200);
        assertFault(admin.delete("/v3/domains/default"), 403, "Forbidden");
    }

    @Test
    void disableThenDeleteRemovesTheDomainWithItsProjectsUsersAndRoles() {
        String domain = create("{\"domain\": {\"name\": \"%s\"}}".formatted(uniq("d"))).path("id").asText();
        String project = admin.post("/v3/projects", "{\"project\": {\"name\": \"p\", \"domain_id\": \"%s\", \"tags\": [\"t\"]}}".formatted(domain))
                .json().path("project").path("id").asText();
        String child = admin.post("/v3/projects", "{\"project\": {\"name\": \"c\", \"parent_id\": \"%s\"}}".formatted(project))
                .json().path("project").path("id").asText();
        String user = admin.post("/v3/users", "{\"user\": {\"name\": \"u\", \"domain_id\": \"%s\", \"password\": \"pw\"}}".formatted(domain))
                .json().path("user").path("id").asText();
        String role = admin.post("/v3/roles", "{\"role\": {\"name\": \"r\", \"domain_id\": \"%s\"}}".formatted(domain))
                .json().path("role").path("id").asText();
        assertThat(admin.put("/v3/projects/" + project + "/users/" + user + "/roles/" + roleId("member"), null).status()).isEqualTo(204);
        assertThat(admin.put("/v3/domains/" + domain + "/users/" + user + "/roles/" + roleId("reader"), null).status()).isEqualTo(204);
        String token = server.anonymous().post("/v3/auth/tokens",
                "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"id\": \"%s\", \"password\": \"pw\"}}}, \"scope\": {\"project\": {\"id\": \"%s\"}}}}"
                        .formatted(user, project)).header("X-Subject-Token");
        assertThat(token).isNotNull();

        ApiClient.Response disabled = admin.patch("/v3/domains/" + domain, "{\"domain\": {\"enabled\": false}}");
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.json().path("domain").path("enabled").asBoolean()).isFalse();
        assertThat(admin.as(token).get("/v3/users/" + user).status()).as("tokens die with the domain").isEqualTo(401);

        ApiClient.Response deleted = admin.delete("/v3/domains/" + domain);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.text()).isEmpty();
        assertFault(admin.get("/v3/domains/" + domain), 404, "Not Found");
        assertFault(admin.get("/v3/projects/" + project), 404, "Not Found");
        assertFault(admin.get("/v3/projects/" + child), 404, "Not Found");
        assertFault(admin.get("/v3/users/" + user), 404, "Not Found");
        assertFault(admin.get("/v3/roles/" + role), 404, "Not Found");
        assertThat(admin.get("/v3/role_assignments?user.id=" + user).json().path("role_assignments")).isEmpty();
        assertThat(admin.get("/v3/role_assignments?scope.domain.id=" + domain).json().path("role_assignments")).isEmpty();
        assertFault(admin.delete("/v3/domains/" + domain), 404, "Not Found");
    }

    @Test
    void disablingADomainStopsItsUsersFromAuthenticating() {
        String domainName = uniq("d");
        String domain = create("{\"domain\": {\"name\": \"%s\"}}".formatted(domainName)).path("id").asText();
        admin.post("/v3/users", "{\"user\": {\"name\": \"u\", \"domain_id\": \"%s\", \"password\": \"pw\"}}".formatted(domain));
        String body = "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": \"u\", \"domain\": {\"name\": \"%s\"}, \"password\": \"pw\"}}}}}"
                .formatted(domainName);
        assertThat(server.anonymous().post("/v3/auth/tokens", body).status()).isEqualTo(201);
        admin.patch("/v3/domains/" + domain, "{\"domain\": {\"enabled\": false}}");
        assertFault(server.anonymous().post("/v3/auth/tokens", body), 401, "Unauthorized");
        admin.patch("/v3/domains/" + domain, "{\"domain\": {\"enabled\": true}}");
        assertThat(server.anonymous().post("/v3/auth/tokens", body).status()).isEqualTo(201);
    }

    @Test
    void duplicateNameIs409() {
        String name = uniq("dup");
        create("{\"domain\": {\"name\": \"%s\"}}".formatted(name));
        ApiClient.Response conflict = admin.post("/v3/domains", "{\"domain\": {\"name\": \"%s\"}}".formatted(name));
        assertFault(conflict, 409, "Conflict");
        assertThat(conflict.json().path("error").path("message").asText()).contains(name);
        String other = create("{\"domain\": {\"name\": \"%s\"}}".formatted(uniq("d"))).path("id").asText();
        assertFault(admin.patch("/v3/domains/" + other, "{\"domain\": {\"name\": \"%s\"}}".formatted(name)), 409, "Conflict");
    }

    @Test
    void badInputIs400() {
        String name = uniq("bad");
        assertFault(admin.post("/v3/domains", "{\"domain\""), 400, "Bad Request");
        assertInvalid(admin.post("/v3/domains", "{}"));
        assertInvalid(admin.post("/v3/domains", "{\"domain\": []}"));
        assertInvalid(admin.post("/v3/domains", "{\"domain\": {}}"));
        assertInvalid(admin.post("/v3/domains", "{\"domain\": {\"name\": true}}"));
        assertInvalid(admin.post("/v3/domains", "{\"domain\": {\"name\": \"%s\", \"enabled\": \"true\"}}".formatted(name)));
        assertInvalid(admin.post("/v3/domains", "{\"domain\": {\"name\": \"%s\"}}".formatted("d".repeat(65))));
        assertThat(admin.get("/v3/domains?name=" + name).json().path("domains")).isEmpty();
    }

    @Test
    void unknownDomainIs404() {
        ApiClient.Response r = admin.get("/v3/domains/no-such-domain");
        assertFault(r, 404, "Not Found");
        assertThat(r.json().path("error").path("message").asText()).contains("no-such-domain");
        assertFault(admin.delete("/v3/domains/no-such-domain"), 404, "Not Found");
    }

    @Test
    void everyRouteNeedsAToken() {
        ApiClient anonymous = server.anonymous();
        assertFault(anonymous.get("/v3/domains"), 401, "Unauthorized");
        assertFault(anonymous.post("/v3/domains", "{\"domain\": {\"name\": \"x\"}}"), 401, "Unauthorized");
        assertFault(anonymous.get("/v3/domains/default"), 401, "Unauthorized");
        assertFault(anonymous.patch("/v3/domains/default", "{\"domain\": {\"enabled\": false}}"), 401, "Unauthorized");
        assertFault(anonymous.delete("/v3/domains/default"), 401, "Unauthorized");
        assertThat(admin.get("/v3/domains/default").json().path("domain").path("enabled").asBoolean()).isTrue();
    }

    @Test
    void aProjectMemberMayReadItsOwnDomainOnly() {
        List<String> ids = server.projectWithUser(uniq("p"), uniq("u"), "pw", "member");
        String userName = admin.get("/v3/users/" + ids.get(1)).json().path("user").path("name").asText();
        String projectName = admin.get("/v3/projects/" + ids.get(0)).json().path("project").path("name").asText();
        ApiClient member = admin.as(server.token(userName, "pw", projectName));
        assertThat(member.get("/v3/domains/default").status()).isEqualTo(200);
        String other = create("{\"domain\": {\"name\": \"%s\"}}".formatted(uniq("d"))).path("id").asText();
        assertFault(member.get("/v3/domains/" + other), 403, "Forbidden");
        assertFault(member.get("/v3/domains"), 403, "Forbidden");
        assertFault(member.post("/v3/domains", "{\"domain\": {\"name\": \"%s\"}}".formatted(uniq("d"))), 403, "Forbidden");
        assertFault(member.patch("/v3/domains/" + other, "{\"domain\": {\"enabled\": false}}"), 403, "Forbidden");
    }
}
