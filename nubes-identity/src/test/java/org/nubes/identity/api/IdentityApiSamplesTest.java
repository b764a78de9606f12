package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.core.testing.ApiSamples.assertMatches;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;
import org.nubes.identity.IdentityTestServer;

/**
 * The recorded samples under src/test/resources/samples/identity: what Keystone clients receive,
 * key for key. They double as the documentation of the wire format.
 */
class IdentityApiSamplesTest extends IdentityApiTestBase {
    private static JsonNode ok(ApiClient.Response r, int status) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        return r.json();
    }

    @Test
    void tokenIssue() {
        assertMatches("identity/token-issue", ok(server.anonymous().post("/v3/auth/tokens",
                IdentityTestServer.passwordAuth("admin", IdentityTestServer.ADMIN_PASSWORD, "admin")), 201));
    }

    @Test
    void createAnswers() {
        assertMatches("identity/user-create", ok(admin.post("/v3/users", "{\"user\":{\"name\":\"sam\",\"password\":\"pw\",\"email\":\"s@x\"}}"), 201));
        assertMatches("identity/project-create", ok(admin.post("/v3/projects", "{\"project\":{\"name\":\"sp\",\"description\":\"d\",\"tags\":[\"t\"]}}"), 201));
        assertMatches("identity/domain-create", ok(admin.post("/v3/domains", "{\"domain\":{\"name\":\"sd\"}}"), 201));
        assertMatches("identity/role-create", ok(admin.post("/v3/roles", "{\"role\":{\"name\":\"sr\"}}"), 201));
        assertMatches("identity/group-create", ok(admin.post("/v3/groups", "{\"group\":{\"name\":\"sg\",\"description\":\"g\"}}"), 201));
        String self = admin.get("/v3/users?name=admin").json().path("users").path(0).path("id").asText();
        assertMatches("identity/application-credential-create", ok(admin.post("/v3/users/" + self + "/application_credentials",
                "{\"application_credential\":{\"name\":\"sa\"}}"), 201));
    }

    @Test
    void listsAndDiscovery() {
        assertMatches("identity/regions-list", ok(admin.get("/v3/regions"), 200));
        assertMatches("identity/services-list", ok(admin.get("/v3/services"), 200));
        assertMatches("identity/endpoints-list", ok(admin.get("/v3/endpoints?interface=public"), 200));
        String self = admin.get("/v3/users?name=admin").json().path("users").path(0).path("id").asText();
        String project = admin.get("/v3/projects?name=admin").json().path("projects").path(0).path("id").asText();
        assertMatches("identity/role-assignments-names",
                ok(admin.get("/v3/role_assignments?include_names&user.id=" + self + "&scope.project.id=" + project), 200));
        assertMatches("identity/version", ok(server.anonymous().get("/v3"), 200));
        assertMatches("identity/versions", ok(server.anonymous().get("/"), 300));
        assertMatches("identity/error-not-found", ok(admin.get("/v3/users/nope"), 404));
    }
}
