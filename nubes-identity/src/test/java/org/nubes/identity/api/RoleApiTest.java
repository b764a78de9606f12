package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.assertFault;
import static org.nubes.identity.api.KeystoneAssertions.assertInvalid;
import static org.nubes.identity.api.KeystoneAssertions.keys;
import static org.nubes.identity.api.KeystoneAssertions.texts;
import static org.nubes.identity.api.KeystoneAssertions.uniq;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;

/** /v3/roles, implied roles and /v3/role_inferences through HTTP. */
class RoleApiTest extends IdentityApiTestBase {
    static JsonNode role(String name, String domainId) {
        String body = domainId == null
                ? "{\"role\": {\"name\": \"%s\"}}".formatted(name)
                : "{\"role\": {\"name\": \"%s\", \"domain_id\": \"%s\"}}".formatted(name, domainId);
        ApiClient.Response r = admin.post("/v3/roles", body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("role");
    }

    // ---------------------------------------------------------------- roles

    @Test
    void createGlobalRoleAnswers201WithKeystoneRole() {
        String name = uniq("r");
        ApiClient.Response r = admin.post("/v3/roles", "{\"role\": {\"name\": \"%s\", \"description\": \"My new role\"}}".formatted(name));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(keys(r.json())).containsExactly("role");
        JsonNode role = r.json().path("role");
        assertThat(keys(role)).containsExactlyInAnyOrder("id", "name", "domain_id", "description", "options", "links");
        assertThat(role.path("id").asText()).matches("[0-9a-f]{32}");
        assertThat(role.path("name").asText()).isEqualTo(name);
        assertThat(role.path("domain_id").isNull()).isTrue();
        assertThat(role.path("description").asText()).isEqualTo("My new role");
        assertThat(role.path("links").path("self").asText()).isEqualTo(server.url() + "/v3/roles/" + role.path("id").asText());

        ApiClient.Response shown = admin.get("/v3/roles/" + role.path("id").asText());
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().path("role")).isEqualTo(role);
    }

    @Test
    void aRoleWithoutDescriptionStillShowsTheKey() {
        JsonNode role = role(uniq("r"), null);
        assertThat(keys(role)).containsExactlyInAnyOrder("id", "name", "domain_id", "description", "options", "links");
        assertThat(role.path("description").isNull()).isTrue();
    }

    @Test
    void domainSpecificRole() {
        String domain = newDomain();
        JsonNode role = role(uniq("r"), domain);
        assertThat(role.path("domain_id").asText()).isEqualTo(domain);
        assertInvalid(admin.post("/v3/roles", "{\"role\": {\"name\": \"%s\", \"domain_id\": \"no-such-domain\"}}".formatted(uniq("r"))));
    }

    @Test
    void listShowsGlobalRolesUnlessADomainIsAsked() {
        String domain = newDomain();
        String global = uniq("global");
        String local = uniq("local");
        role(global, null);
        role(local, domain);

        ApiClient.Response all = admin.get("/v3/roles");
        assertThat(all.status()).isEqualTo(200);
        assertThat(keys(all.json())).containsExactlyInAnyOrder("roles", "links");
        assertThat(texts(all.json().path("roles"), "name")).contains("admin", "manager", "member", "reader", "service", global)
                .doesNotContain(local);
        assertThat(texts(admin.get("/v3/roles?domain_id=" + domain).json().path("roles"), "name")).containsExactly(local);
        assertThat(texts(admin.get("/v3/roles?name=" + global).json().path("roles"), "name")).containsExactly(global);
        assertThat(admin.get("/v3/roles?name=" + local).json().path("roles")).isEmpty();
        assertThat(texts(admin.get("/v3/roles?domain_id=" + domain + "&name=" + local).json().path("roles"), "name")).containsExactly(local);
    }

    @Test
    void duplicateNameIs409InTheSameDomainButFineElsewhere() {
        String name = uniq("dup");
        role(name, null);
        ApiClient.Response conflict = admin.post("/v3/roles", "{\"role\": {\"name\": \"%s\"}}".formatted(name));
        assertFault(conflict, 409, "Conflict");
        assertThat(conflict.json().path("error").path("message").asText()).contains(name);
        assertFault(admin.post("/v3/roles", "{\"role\": {\"name\": \"admin\"}}"), 409, "Conflict");

        String domain = newDomain();
        role(name, domain);
        assertFault(admin.post("/v3/roles", "{\"role\": {\"name\": \"%s\", \"domain_id\": \"%s\"}}".formatted(name, domain)), 409, "Conflict");
        role(name, newDomain());

        String other = role(uniq("r"), null).path("id").asText();
        assertFault(admin.patch("/v3/roles/" + other, "{\"role\": {\"name\": \"%s\"}}".formatted(name)), 409, "Conflict");
    }

    @Test
    void update() {
        String id = role(uniq("r"), null).path("id").asText();
        String renamed = uniq("renamed");
        ApiClient.Response r = admin.patch("/v3/roles/" + id, "{\"role\": {\"name\": \"%s\", \"description\": \"d\"}}".formatted(renamed));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("role").path("name").asText()).isEqualTo(renamed);
        assertThat(r.json().path("role").path("description").asText()).isEqualTo("d");
        assertThat(admin.get("/v3/roles/" + id).json().path("role")).isEqualTo(r.json().path("role"));
        assertInvalid(admin.patch("/v3/roles/" + id, "{\"role\": {\"domain_id\": \"%s\"}}".formatted(newDomain())));
        assertInvalid(admin.patch("/v3/roles/" + id, "{\"role\": {\"name\": 1}}"));
        assertFault(admin.patch("/v3/roles/no-such-role", "{\"role\": {\"name\": \"x\"}}"), 404, "Not Found");
    }

    @Test
    void deleteAnswers204AndRemovesAssignmentsAndImplications() {
        List<String> ids = server.projectWithUser(uniq("p"), uniq("u"), "pw", "reader");
        String id = role(uniq("r"), null).path("id").asText();
        assertThat(admin.put("/v3/projects/" + ids.get(0) + "/users/" + ids.get(1) + "/roles/" + id, null).status()).isEqualTo(204);
        assertThat(admin.put("/v3/roles/" + id + "/implies/" + roleId("reader"), null).status()).isEqualTo(201);

        ApiClient.Response r = admin.delete("/v3/roles/" + id);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.text()).isEmpty();
        assertFault(admin.get("/v3/roles/" + id), 404, "Not Found");
        assertFault(admin.delete("/v3/roles/" + id), 404, "Not Found");
        assertThat(admin.get("/v3/role_assignments?role.id=" + id).json().path("role_assignments")).isEmpty();
        List<String> mentioned = new ArrayList<>();
        for (JsonNode rule : admin.get("/v3/role_inferences").json().path("role_inferences")) {
            mentioned.add(rule.path("prior_role").path("id").asText());
            mentioned.addAll(texts(rule.path("implies"), "id"));
        }
        assertThat(mentioned).isNotEmpty().doesNotContain(id);
    }

    @Test
    void badInputIs400() {
        String name = uniq("bad");
        assertFault(admin.post("/v3/roles", "{\"role\": {"), 400, "Bad Request");
        assertInvalid(admin.post("/v3/roles", "{}"));
        assertInvalid(admin.post("/v3/roles", "{\"role\": \"x\"}"));
        assertInvalid(admin.post("/v3/roles", "{\"role\": {}}"));
        assertInvalid(admin.post("/v3/roles", "{\"role\": {\"name\": [\"x\"]}}"));
        assertInvalid(admin.post("/v3/roles", "{\"role\": {\"name\": \"%s\", \"domain_id\": 3}}".formatted(name)));
        assertInvalid(admin.post("/v3/roles", "{\"role\": {\"name\": \"%s\"}}".formatted("r".repeat(256))));
        assertThat(admin.get("/v3/roles?name=" + name).json().path("roles")).isEmpty();
    }

    @Test
    void unknownRoleIs404() {
        ApiClient.Response r = admin.get("/v3/roles/no-such-role");
        assertFault(r, 404, "Not Found");
        assertThat(r.json().path("error").path("message").asText()).contains("no-such-role");
    }

    @Test
    void everyRouteNeedsAToken() {
        String id = roleId("member");
        ApiClient anonymous = server.anonymous();
        assertFault(anonymous.get("/v3/roles"), 401, "Unauthorized");
        assertFault(anonymous.post("/v3/roles", "{\"role\": {\"name\": \"x\"}}"), 401, "Unauthorized");
        assertFault(anonymous.get("/v3/roles/" + id), 401, "Unauthorized");
        assertFault(anonymous.patch("/v3/roles/" + id, "{\"role\": {\"name\": \"x\"}}"), 401, "Unauthorized");
        assertFault(anonymous.delete("/v3/roles/" + id), 401, "Unauthorized");
        assertFault(anonymous.get("/v3/roles/" + id + "/implies"), 401, "Unauthorized");
        assertFault(anonymous.put("/v3/roles/" + id + "/implies/" + roleId("reader"), null), 401, "Unauthorized");
        assertFault(anonymous.delete("/v3/roles/" + id + "/implies/" + roleId("reader")), 401, "Unauthorized");
        assertFault(anonymous.get("/v3/role_inferences"), 401, "Unauthorized");
        assertThat(admin.get("/v3/roles/" + id).status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- implied roles

    @Test
    void createAnImplication() {
        JsonNode prior = role(uniq("prior"), null);
        JsonNode implied = role(uniq("implied"), null);
        String priorId = prior.path("id").asText();
        String impliedId = implied.path("id").asText();
        String path = "/v3/roles/" + priorId + "/implies/" + impliedId;

        ApiClient.Response r = admin.put(path, null);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(keys(r.json())).containsExactlyInAnyOrder("role_inference", "links");
        JsonNode inference = r.json().path("role_inference");
        assertThat(keys(inference)).containsExactlyInAnyOrder("prior_role", "implies");
        assertThat(keys(inference.path("prior_role"))).containsExactlyInAnyOrder("id", "name", "links");
        assertThat(inference.path("prior_role").path("id").asText()).isEqualTo(priorId);
        assertThat(inference.path("prior_role").path("name").asText()).isEqualTo(prior.path("name").asText());
        assertThat(inference.path("prior_role").path("links").path("self").asText()).endsWith("/v3/roles/" + priorId);
        assertThat(inference.path("implies").isObject()).isTrue();
        assertThat(inference.path("implies").path("id").asText()).isEqualTo(impliedId);
        assertThat(inference.path("implies").path("name").asText()).isEqualTo(implied.path("name").asText());
        assertThat(r.json().path("links").path("self").asText()).endsWith(path);

        ApiClient.Response shown = admin.get(path);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().path("role_inference")).isEqualTo(inference);
        assertThat(admin.head(path).status()).isEqualTo(204);

        ApiClient.Response list = admin.get("/v3/roles/" + priorId + "/implies");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("role_inference").path("prior_role").path("id").asText()).isEqualTo(priorId);
        assertThat(list.json().path("role_inference").path("implies").isArray()).isTrue();
        assertThat(texts(list.json().path("role_inference").path("implies"), "id")).containsExactly(impliedId);
        assertThat(list.json().path("links").path("self").asText()).endsWith("/v3/roles/" + priorId + "/implies");

        ApiClient.Response removed = admin.delete(path);
        assertThat(removed.status()).isEqualTo(204);
        assertThat(admin.head(path).status()).isEqualTo(404);
        assertFault(admin.get(path), 404, "Not Found");
        assertFault(admin.delete(path), 404, "Not Found");
        assertThat(admin.get("/v3/roles/" + priorId + "/implies").json().path("role_inference").path("implies")).isEmpty();
    }

    @Test
    void implicationsWithUnknownRolesAre404() {
        String known = role(uniq("r"), null).path("id").asText();
        assertFault(admin.put("/v3/roles/no-such-role/implies/" + known, null), 404, "Not Found");
        assertFault(admin.put("/v3/roles/" + known + "/implies/no-such-role", null), 404, "Not Found");
        assertFault(admin.get("/v3/roles/no-such-role/implies"), 404, "Not Found");
    }

    @Test
    void adminCannotBeImplied() {
        String prior = role(uniq("r"), null).path("id").asText();
        assertFault(admin.put("/v3/roles/" + prior + "/implies/" + roleId("admin"), null), 403, "Forbidden");
        assertThat(admin.head("/v3/roles/" + prior + "/implies/" + roleId("admin")).status()).isEqualTo(404);
    }

    @Test
    void cyclesAre403() {
        String a = role(uniq("a"), null).path("id").asText();
        String b = role(uniq("b"), null).path("id").asText();
        String c = role(uniq("c"), null).path("id").asText();
        assertThat(admin.put("/v3/roles/" + a + "/implies/" + b, null).status()).isEqualTo(201);
        assertThat(admin.put("/v3/roles/" + b + "/implies/" + c, null).status()).isEqualTo(201);
        assertFault(admin.put("/v3/roles/" + b + "/implies/" + a, null), 403, "Forbidden");
        assertFault(admin.put("/v3/roles/" + c + "/implies/" + a, null), 403, "Forbidden");
        assertFault(admin.put("/v3/roles/" + a + "/implies/" + a, null), 403, "Forbidden");
        assertThat(admin.head("/v3/roles/" + c + "/implies/" + a).status()).isEqualTo(404);
    }

    @Test
    void aGlobalRoleCannotImplyADomainRoleButADomainRoleMayImplyAGlobalOne() {
        String domain = newDomain();
        String global = role(uniq("g"), null).path("id").asText();
        String local = role(uniq("l"), domain).path("id").asText();
        assertFault(admin.put("/v3/roles/" + global + "/implies/" + local, null), 403, "Forbidden");
        ApiClient.Response r = admin.put("/v3/roles/" + local + "/implies/" + global, null);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
    }

    @Test
    void roleInferencesListEveryRuleByPriorRole() {
        ApiClient.Response r = admin.get("/v3/role_inferences");
        assertThat(r.status()).isEqualTo(200);
        assertThat(keys(r.json())).containsExactlyInAnyOrder("role_inferences", "links");
        assertThat(r.json().path("links").path("self").asText()).endsWith("/v3/role_inferences");
        JsonNode adminRule = null;
        for (JsonNode rule : r.json().path("role_inferences")) {
            assertThat(keys(rule)).containsExactlyInAnyOrder("prior_role", "implies");
            assertThat(rule.path("implies").isArray()).isTrue();
            if (rule.path("prior_role").path("name").asText().equals("admin")) {
                adminRule = rule;
            }
        }
        assertThat(adminRule).isNotNull();
        assertThat(texts(adminRule.path("implies"), "name")).containsExactlyInAnyOrder("manager", "member");
        assertThat(adminRule.path("implies").path(0).path("links").path("self").asText()).contains("/v3/roles/");

        String prior = role(uniq("prior"), null).path("id").asText();
        admin.put("/v3/roles/" + prior + "/implies/" + roleId("reader"), null);
        admin.put("/v3/roles/" + prior + "/implies/" + roleId("service"), null);
        JsonNode mine = null;
        for (JsonNode rule : admin.get("/v3/role_inferences").json().path("role_inferences")) {
            if (rule.path("prior_role").path("id").asText().equals(prior)) {
                mine = rule;
            }
        }
        assertThat(mine).isNotNull();
        assertThat(texts(mine.path("implies"), "name")).containsExactlyInAnyOrder("reader", "service");
    }

    @Test
    void impliedRolesTakeEffectInTokens() {
        String project = uniq("p");
        String user = uniq("u");
        List<String> ids = server.projectWithUser(project, user, "pw", "reader");
        String prior = role(uniq("prior"), null).path("id").asText();
        String implied = role(uniq("implied"), null).path("id").asText();
        admin.put("/v3/projects/" + ids.get(0) + "/users/" + ids.get(1) + "/roles/" + prior, null);
        admin.put("/v3/roles/" + prior + "/implies/" + implied, null);

        String token = server.token(user, "pw", project);
        JsonNode roles = admin.send("GET", "/v3/auth/tokens", null, "X-Subject-Token", token).json().path("token").path("roles");
        assertThat(texts(roles, "id")).contains(prior, implied, roleId("reader"));

        admin.delete("/v3/roles/" + prior + "/implies/" + implied);
        String after = server.token(user, "pw", project);
        assertThat(texts(admin.send("GET", "/v3/auth/tokens", null, "X-Subject-Token", after).json().path("token").path("roles"), "id"))
                .contains(prior).doesNotContain(implied);
    }

    @Test
    void onlyAdminsManageRoles() {
        String project = uniq("p");
        String user = uniq("u");
        server.projectWithUser(project, user, "pw", "member");
        ApiClient member = admin.as(server.token(user, "pw", project));
        String id = role(uniq("r"), null).path("id").asText();
        assertFault(member.post("/v3/roles", "{\"role\": {\"name\": \"%s\"}}".formatted(uniq("r"))), 403, "Forbidden");
        assertFault(member.patch("/v3/roles/" + id, "{\"role\": {\"name\": \"%s\"}}".formatted(uniq("r"))), 403, "Forbidden");
        assertFault(member.delete("/v3/roles/" + id), 403, "Forbidden");
        assertFault(member.put("/v3/roles/" + id + "/implies/" + roleId("reader"), null), 403, "Forbidden");
        assertFault(member.get("/v3/role_inferences"), 403, "Forbidden");
        assertThat(admin.get("/v3/roles/" + id).status()).isEqualTo(200);
    }
}
