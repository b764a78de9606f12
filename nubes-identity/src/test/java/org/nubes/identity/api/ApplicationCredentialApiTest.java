package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.ids;
import static org.nubes.identity.api.KeystoneAssertions.texts;
import static org.nubes.identity.api.KeystoneAssertions.wrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/** /v3/users/{user_id}/application_credentials, and authenticating with them. */
class ApplicationCredentialApiTest extends IdentityApiTestBase {
    /** A member (and so reader) of app-project. */
    private static ApiClient owner;
    private static String ownerId;
    private static String projectId;
    /** A member of another project. */
    private static ApiClient stranger;

    @BeforeAll
    static void start() {
        List<String> ids = server.projectWithUser("app-project", "app-owner", "owner-secret", "member");
        projectId = ids.get(0);
        ownerId = ids.get(1);
        owner = admin.as(server.token("app-owner", "owner-secret", "app-project"));
        server.projectWithUser("other-project", "app-stranger", "stranger-secret", "member");
        stranger = admin.as(server.token("app-stranger", "stranger-secret", "other-project"));
    }

    @Test
    void createsWithEveryRoleOfTheTokenAndShowsTheSecretOnlyOnce() {
        ApiClient.Response created = owner.post(path(), appCred("all-roles"));
        assertThat(created.status()).isEqualTo(201);
        JsonNode appCred = created.json().path("application_credential");
        String id = appCred.path("id").asText();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(appCred.path("name").asText()).isEqualTo("all-roles");
        assertThat(appCred.path("project_id").asText()).isEqualTo(projectId);
        assertThat(appCred.path("user_id").asText()).isEqualTo(ownerId);
        assertThat(appCred.path("unrestricted").asBoolean()).isFalse();
        assertThat(appCred.path("expires_at").isNull()).isTrue();
        assertThat(appCred.path("secret").asText()).matches("[A-Za-z0-9_-]{86}");
        assertThat(texts(appCred.path("roles"), "name")).containsExactlyInAnyOrder("member", "reader");
        assertThat(appCred.path("links").path("self").asText()).endsWith(path() + "/" + id);

        ApiClient.Response shown = owner.get(path() + "/" + id);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().path("application_credential").has("secret")).isFalse();
        assertThat(shown.json().path("application_credential").path("name").asText()).isEqualTo("all-roles");

        JsonNode listed = owner.get(path()).json().path("application_credentials");
        assertThat(ids(listed)).contains(id);
        listed.forEach(a -> assertThat(a.has("secret")).isFalse());
        assertThat(ids(owner.get(path() + "?name=all-roles").json().path("application_credentials"))).containsExactly(id);

        // the generated secret, 86 characters long, authenticates as a whole
        ApiClient.Response auth = server.anonymous().post("/v3/auth/tokens", byId(id, appCred.path("secret").asText()));
        assertThat(auth.status()).isEqualTo(201);
    }

    @Test
    void authenticatesByIdOrByNameToAProjectTokenWithExactlyTheChosenRoles() {
        ObjectNode body = appCred("reader-only");
        ((ObjectNode) body.get("application_credential")).put("secret", "my-own-secret")
                .putArray("roles").addObject().put("name", "reader");
        ApiClient.Response created = owner.post(path(), body);
        assertThat(created.status()).isEqualTo(201);
        assertThat(texts(created.json().path("application_credential").path("roles"), "name")).containsExactly("reader");
        assertThat(created.json().path("application_credential").path("secret").asText()).isEqualTo("my-own-secret");
        String id = created.json().path("application_credential").path("id").asText();

        for (ObjectNode auth : List.of(byId(id, "my-own-secret"), byName("reader-only", "app-owner", "my-own-secret"))) {
            ApiClient.Response issued = server.anonymous().post("/v3/auth/tokens", auth);
            assertThat(issued.status()).isEqualTo(201);
            JsonNode token = issued.json().path("token");
            assertThat(token.path("project").path("id").asText()).isEqualTo(projectId);
            assertThat(token.path("user").path("id").asText()).isEqualTo(ownerId);
            assertThat(texts(token.path("roles"), "name")).containsExactly("reader");
            assertThat(token.path("methods").toString()).contains("application_credential");
            assertThat(token.path("application_credential").path("id").asText()).isEqualTo(id);
        }
        assertThat(server.anonymous().post("/v3/auth/tokens", byId(id, "wrong-secret")).status()).isEqualTo(401);
    }

    @Test
    void requestedRolesMustBeHeldByTheCallersToken() {
        ObjectNode body = appCred("too-much");
        ((ObjectNode) body.get("application_credential")).putArray("roles").addObject().put("name", "admin");
        ApiClient.Response refused = owner.post(path(), body);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("error").path("message").asText())
                .isEqualTo("Invalid application credential: Cannot create an application credential with unassigned role");

        ObjectNode unknown = appCred("unknown-role");
        ((ObjectNode) unknown.get("application_credential")).putArray("roles").addObject().put("name", "no-such-role");
        assertThat(owner.post(path(), unknown).status()).isEqualTo(404);

        ObjectNode byId = appCred("unknown-role-id");
        ((ObjectNode) byId.get("application_credential")).putArray("roles").addObject().put("id", "0123456789abcdef");
        assertThat(owner.post(path(), byId).status()).isEqualTo(400);

        ObjectNode both = appCred("both");
        ((ObjectNode) both.get("application_credential")).putArray("roles").addObject().put("id", "x").put("name", "reader");
        assertThat(owner.post(path(), both).status()).isEqualTo(400);
        assertThat(owner.get(path() + "?name=too-much").json().path("application_credentials").size()).isZero();
    }

    @Test
    void rejectsMalformedRequestsAndDuplicateNames() {
        assertThat(owner.post(path(), wrap("application_credential", Json.object().put("description", "nameless"))).status())
                .isEqualTo(400);
        ObjectNode unknown = appCred("extra-attribute");
        ((ObjectNode) unknown.get("application_credential")).put("color", "blue");
        ApiClient.Response extra = owner.post(path(), unknown);
        assertThat(extra.status()).isEqualTo(400);
        assertThat(extra.json().path("error").path("message").asText()).contains("'color' was unexpected");

        ObjectNode rules = appCred("with-rules");
        ((ObjectNode) rules.get("application_credential")).putArray("access_rules").addObject()
                .put("path", "/v2.1/servers").put("method", "GET").put("service", "compute");
        assertThat(owner.post(path(), rules).status()).isEqualTo(400);

        ObjectNode past = appCred("expired-already");
        ((ObjectNode) past.get("application_credential")).put("expires_at", "2001-01-01T00:00:00");
        assertThat(owner.post(path(), past).status()).isEqualTo(400);
        ObjectNode garbled = appCred("bad-time");
        ((ObjectNode) garbled.get("application_credential")).put("expires_at", "next tuesday");
        assertThat(owner.post(path(), garbled).status()).isEqualTo(400);
        ObjectNode flag = appCred("bad-flag");
        ((ObjectNode) flag.get("application_credential")).put("unrestricted", "yes");
        assertThat(owner.post(path(), flag).status()).isEqualTo(400);

        assertThat(owner.post(path(), appCred("twice")).status()).isEqualTo(201);
        assertThat(owner.post(path(), appCred("twice")).status()).isEqualTo(409);
    }

    @Test
    void acceptsAnExpiryAndRendersIt() {
        ObjectNode body = appCred("expiring-later");
        ((ObjectNode) body.get("application_credential")).put("expires_at", "2100-01-02T03:04:05.000000");
        ApiClient.Response created = owner.post(path(), body);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("application_credential").path("expires_at").asText()).startsWith("2100-01-02T03:04:05");
    }

    @Test
    void onlyTheUserThemselfCreatesAndOnlyTheOwnerOrAnAdminReads() {
        ApiClient.Response forOther = admin.post(path(), appCred("not-yours"));
        assertThat(forOther.status()).isEqualTo(403);
        assertThat(stranger.post(path(), appCred("not-yours")).status()).isEqualTo(403);

        String id = owner.post(path(), appCred("private")).json().path("application_credential").path("id").asText();
        assertThat(stranger.get(path()).status()).isEqualTo(403);
        assertThat(stranger.get(path() + "/" + id).status()).isEqualTo(403);
        assertThat(stranger.delete(path() + "/" + id).status()).isEqualTo(403);
        // naming oneself in the path does not open someone else's credential
        String strangerId = userIdOf(stranger);
        assertThat(stranger.get("/v3/users/" + strangerId + "/application_credentials/" + id).status()).isEqualTo(403);

        assertThat(admin.get(path() + "/" + id).status()).isEqualTo(200);
        assertThat(server.anonymous().get(path()).status()).isEqualTo(401);
        assertThat(server.anonymous().post(path(), appCred("anonymous")).status()).isEqualTo(401);

        ApiClient.Response missing = owner.get(path() + "/nope");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("error").path("message").asText()).isEqualTo("Could not find Application Credential: nope.");
        assertThat(owner.delete(path() + "/nope").status()).isEqualTo(404);
    }

    @Test
    void needsAProjectScopedToken() {
        ApiClient unscoped = admin.as(server.token("app-owner", "owner-secret", null));
        assertThat(unscoped.post(path(), appCred("unscoped")).status()).isEqualTo(400);
    }

    @Test
    void aDeletedCredentialNoLongerAuthenticatesAndItsTokensStopValidating() {
        ApiClient.Response created = owner.post(path(), appCred("short-lived"));
        String id = created.json().path("application_credential").path("id").asText();
        String secret = created.json().path("application_credential").path("secret").asText();
        String token = server.anonymous().post("/v3/auth/tokens", byId(id, secret)).header("X-Subject-Token");
        assertThat(validate(token)).isEqualTo(200);

        assertThat(owner.delete(path() + "/" + id).status()).isEqualTo(204);
        assertThat(owner.get(path() + "/" + id).status()).isEqualTo(404);
        assertThat(server.anonymous().post("/v3/auth/tokens", byId(id, secret)).status()).isEqualTo(401);
        assertThat(validate(token)).isEqualTo(404);
    }

    @Test
    void anExpiredCredentialNoLongerAuthenticates() throws InterruptedException {
        ObjectNode body = appCred("expiring-soon");
        Instant expiry = Instant.now().plusSeconds(2);
        ((ObjectNode) body.get("application_credential")).put("expires_at", expiry.toString());
        ApiClient.Response created = owner.post(path(), body);
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().path("application_credential").path("id").asText();
        String secret = created.json().path("application_credential").path("secret").asText();
        ApiClient.Response issued = server.anonymous().post("/v3/auth/tokens", byId(id, secret));
        assertThat(issued.status()).isEqualTo(201);
        // a token never outlives its application credential
        assertThat(Instant.parse(issued.json().path("token").path("expires_at").asText())).isBeforeOrEqualTo(expiry);

        Thread.sleep(Math.max(0, expiry.toEpochMilli() - System.currentTimeMillis()) + 200);
        assertThat(server.anonymous().post("/v3/auth/tokens", byId(id, secret)).status()).isEqualTo(401);
        assertThat(validate(issued.header("X-Subject-Token"))).isEqualTo(404);
    }

    @Test
    void aRestrictedCredentialCannotManageApplicationCredentialsButAnUnrestrictedOneCan() {
        ApiClient restricted = tokenOf(owner.post(path(), appCred("restricted")));
        ApiClient.Response refused = restricted.post(path(), appCred("minted-by-restricted"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").path("message").asText()).contains("Using method 'application_credential' is not allowed");
        String victim = owner.post(path(), appCred("victim")).json().path("application_credential").path("id").asText();
        assertThat(restricted.delete(path() + "/" + victim).status()).isEqualTo(403);
        assertThat(restricted.get(path() + "/" + victim).status()).isEqualTo(200);

        ObjectNode body = appCred("unrestricted");
        ((ObjectNode) body.get("application_credential")).put("unrestricted", true);
        ApiClient unrestricted = tokenOf(owner.post(path(), body));
        assertThat(unrestricted.post(path(), appCred("minted-by-unrestricted")).status()).isEqualTo(201);
        assertThat(unrestricted.delete(path() + "/" + victim).status()).isEqualTo(204);
    }

    /** A client with a token from the application credential that a create just answered. */
    private static ApiClient tokenOf(ApiClient.Response created) {
        assertThat(created.status()).isEqualTo(201);
        JsonNode appCred = created.json().path("application_credential");
        ApiClient.Response issued = server.anonymous().post("/v3/auth/tokens",
                byId(appCred.path("id").asText(), appCred.path("secret").asText()));
        assertThat(issued.status()).isEqualTo(201);
        return admin.as(issued.header("X-Subject-Token"));
    }

    private static int validate(String token) {
        return admin.send("GET", "/v3/auth/tokens", null, "X-Subject-Token", token).status();
    }

    private static String userIdOf(ApiClient client) {
        return client.send("GET", "/v3/auth/tokens", null, "X-Subject-Token", client.token())
                .json().path("token").path("user").path("id").asText();
    }

    private static String path() {
        return "/v3/users/" + ownerId + "/application_credentials";
    }

    private static ObjectNode appCred(String name) {
        return wrap("application_credential", Json.object().put("name", name));
    }

    private static ObjectNode byId(String id, String secret) {
        ObjectNode body = Json.object();
        ObjectNode identity = body.putObject("auth").putObject("identity");
        identity.putArray("methods").add("application_credential");
        identity.putObject("application_credential").put("id", id).put("secret", secret);
        return body;
    }

    private static ObjectNode byName(String name, String user, String secret) {
        ObjectNode body = Json.object();
        ObjectNode identity = body.putObject("auth").putObject("identity");
        identity.putArray("methods").add("application_credential");
        ObjectNode appCred = identity.putObject("application_credential").put("name", name).put("secret", secret);
        appCred.putObject("user").put("name", user).putObject("domain").put("id", "default");
        return body;
    }

    @Test
    void accessRulesAreAnEmptyListOfTheUsersOwn() {
        String self = admin.get("/v3/users?name=admin").json().path("users").path(0).path("id").asText();
        ApiClient.Response rules = admin.get("/v3/users/" + self + "/access_rules");
        assertThat(rules.status()).as(rules.text()).isEqualTo(200);
        assertThat(rules.json().path("access_rules").isArray()).isTrue();
        assertThat(rules.json().path("access_rules")).isEmpty();
        assertThat(admin.get("/v3/users/" + self + "/access_rules/nope").status()).isEqualTo(404);
    }
}
