package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.assertFault;
import static org.nubes.identity.api.KeystoneAssertions.uniq;

import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;

/** Keystone's domain manager persona: manages users, groups, projects and member-level grants of its domain. */
class DomainManagerTest extends IdentityApiTestBase {
    @Test
    void aManagerManagesItsDomainAndNothingElse() {
        String domainName = uniq("dm");
        String domain = admin.post("/v3/domains", "{\"domain\": {\"name\": \"%s\"}}".formatted(domainName)).json()
                .path("domain").path("id").asText();
        String managerId = admin.post("/v3/users", "{\"user\": {\"name\": \"boss\", \"domain_id\": \"%s\", \"password\": \"pw\"}}"
                .formatted(domain)).json().path("user").path("id").asText();
        assertThat(admin.put("/v3/domains/" + domain + "/users/" + managerId + "/roles/" + roleId("manager"), null).status())
                .isEqualTo(204);
        ApiClient.Response issued = server.anonymous().post("/v3/auth/tokens",
                "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"id\": \"%s\", \"password\": \"pw\"}}}, \"scope\": {\"domain\": {\"id\": \"%s\"}}}}"
                        .formatted(managerId, domain));
        assertThat(issued.status()).as(issued.text()).isEqualTo(201);
        ApiClient manager = admin.as(issued.header("X-Subject-Token"));

        // users, groups and projects of its own domain
        ApiClient.Response user = manager.post("/v3/users", "{\"user\": {\"name\": \"worker\", \"password\": \"pw\"}}");
        assertThat(user.status()).as(user.text()).isEqualTo(201);
        assertThat(user.json().path("user").path("domain_id").asText()).isEqualTo(domain);
        String workerId = user.json().path("user").path("id").asText();
        ApiClient.Response project = manager.post("/v3/projects", "{\"project\": {\"name\": \"work\"}}");
        assertThat(project.status()).as(project.text()).isEqualTo(201);
        String projectId = project.json().path("project").path("id").asText();
        ApiClient.Response group = manager.post("/v3/groups", "{\"group\": {\"name\": \"team\"}}");
        assertThat(group.status()).as(group.text()).isEqualTo(201);
        String groupId = group.json().path("group").path("id").asText();
        assertThat(manager.put("/v3/groups/" + groupId + "/users/" + workerId, null).status()).isEqualTo(204);
        assertThat(manager.patch("/v3/users/" + workerId, "{\"user\": {\"description\": \"busy\"}}").status()).isEqualTo(200);

        // member-level grants inside the domain, but not admin, and not to outsiders
        String grant = "/v3/projects/" + projectId + "/users/" + workerId + "/roles/";
        assertThat(manager.put(grant + roleId("member"), null).status()).isEqualTo(204);
        assertFault(manager.put(grant + roleId("admin"), null), 403, "Forbidden");
        String adminId = admin.get("/v3/users?name=admin").json().path("users").path(0).path("id").asText();
        assertFault(manager.put("/v3/projects/" + projectId + "/users/" + adminId + "/roles/" + roleId("member"), null),
                403, "Forbidden");
        String adminProject = admin.get("/v3/projects?name=admin").json().path("projects").path(0).path("id").asText();
        assertFault(manager.put("/v3/projects/" + adminProject + "/users/" + workerId + "/roles/" + roleId("member"), null),
                403, "Forbidden");
        assertThat(manager.delete(grant + roleId("member")).status()).isEqualTo(204);

        // nothing outside the domain
        assertFault(manager.post("/v3/users", "{\"user\": {\"name\": \"%s\", \"domain_id\": \"default\"}}".formatted(uniq("x"))),
                403, "Forbidden");
        assertFault(manager.patch("/v3/users/" + adminId, "{\"user\": {\"enabled\": false}}"), 403, "Forbidden");
        assertFault(manager.delete("/v3/projects/" + adminProject), 403, "Forbidden");
        assertFault(manager.post("/v3/domains", "{\"domain\": {\"name\": \"%s\"}}".formatted(uniq("d"))), 403, "Forbidden");
        assertFault(manager.put("/v3/system/users/" + workerId + "/roles/" + roleId("reader"), null), 403, "Forbidden");

        assertThat(manager.delete("/v3/projects/" + projectId).status()).isEqualTo(204);
        assertThat(manager.delete("/v3/users/" + workerId).status()).isEqualTo(204);
    }
}
