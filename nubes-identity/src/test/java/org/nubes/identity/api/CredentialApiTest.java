package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.ids;
import static org.nubes.identity.api.KeystoneAssertions.wrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/** /v3/credentials and /v3/users/{user_id}/credentials/OS-EC2 through HTTP. */
class CredentialApiTest extends IdentityApiTestBase {
    private static ApiClient owner;
    private static String ownerId;
    private static String projectId;
    private static ApiClient stranger;
    private static String strangerId;
    private static ApiClient reader;
    private static String readerId;

    @BeforeAll
    static void start() {
        List<String> ids = server.projectWithUser("cred-project", "cred-owner", "owner-secret", "member");
        projectId = ids.get(0);
        ownerId = ids.get(1);
        owner = admin.as(server.token("cred-owner", "owner-secret", "cred-project"));
        strangerId = server.projectWithUser("cred-other", "cred-stranger", "stranger-secret", "member").get(1);
        stranger = admin.as(server.token("cred-stranger", "stranger-secret", "cred-other"));
        readerId = server.projectWithUser("cred-read", "cred-reader", "reader-secret", "reader").get(1);
        reader = admin.as(server.token("cred-reader", "reader-secret", "cred-read"));
    }

    // /v3/credentials

    @Test
    void createsShowsUpdatesAndDeletesACredential() {
        ApiClient.Response created = owner.post("/v3/credentials", credential(ownerId, "cert", "-----BEGIN CERT-----", null));
        assertThat(created.status()).isEqualTo(201);
        JsonNode credential = created.json().path("credential");
        String id = credential.path("id").asText();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(credential.path("user_id").asText()).isEqualTo(ownerId);
        assertThat(credential.path("type").asText()).isEqualTo("cert");
        assertThat(credential.path("blob").asText()).isEqualTo("-----BEGIN CERT-----");
        assertThat(credential.path("project_id").isNull()).isTrue();
        assertThat(credential.path("links").path("self").asText()).endsWith("/v3/credentials/" + id);

        assertThat(owner.get("/v3/credentials/" + id).json().path("credential").path("type").asText()).isEqualTo("cert");

        ApiClient.Response patched = owner.patch("/v3/credentials/" + id, wrap("credential", Json.object().put("blob", "renewed")));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().path("credential").path("blob").asText()).isEqualTo("renewed");
        assertThat(patched.json().path("credential").path("type").asText()).isEqualTo("cert");

        assertThat(owner.delete("/v3/credentials/" + id).status()).isEqualTo(204);
        ApiClient.Response gone = owner.get("/v3/credentials/" + id);
        assertThat(gone.status()).isEqualTo(403); // the owner cannot be told apart from anyone for a missing id
        ApiClient.Response adminGone = admin.get("/v3/credentials/" + id);
        assertThat(adminGone.status()).isEqualTo(404);
        assertThat(adminGone.json().path("error").path("message").asText()).isEqualTo("Could not find credential: " + id + ".");
    }

    @Test
    void anEc2CredentialIsKeyedByTheHashOfItsAccessKey() {
        String blob = "{\"access\":\"181920\",\"secret\":\"secretKey\"}";
        ApiClient.Response created = owner.post("/v3/credentials", credential(ownerId, "ec2", blob, projectId));
        assertThat(created.status()).isEqualTo(201);
        JsonNode credential = created.json().path("credential");
        assertThat(credential.path("id").asText()).isEqualTo("3d3367228f9c7665266604462ec60029bcd83ad89614021a80b2eb879c572510");
        assertThat(credential.path("project_id").asText()).isEqualTo(projectId);
        assertThat(credential.path("blob").asText()).isEqualTo(blob);

        assertThat(owner.post("/v3/credentials", credential(ownerId, "ec2", blob, projectId)).status()).isEqualTo(409);

        // the OS-EC2 API sees the same credential
        ApiClient.Response ec2 = owner.get("/v3/users/" + ownerId + "/credentials/OS-EC2/181920");
        assertThat(ec2.status()).isEqualTo(200);
        assertThat(ec2.json().path("credential").path("secret").asText()).isEqualTo("secretKey");
        assertThat(ec2.json().path("credential").path("tenant_id").asText()).isEqualTo(projectId);
    }

    @Test
    void rejectsBadCredentials() {
        assertThat(owner.post("/v3/credentials", credential(ownerId, "ec2", "{\"access\":\"a1\"}", null)).status()).isEqualTo(400);
        ApiClient.Response notJson = owner.post("/v3/credentials", credential(ownerId, "ec2", "access=a2", projectId));
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().path("error").path("message").asText()).isEqualTo("Invalid blob in credential");
        ApiClient.Response noAccess = owner.post("/v3/credentials", credential(ownerId, "ec2", "{\"secret\":\"s\"}", projectId));
        assertThat(noAccess.status()).isEqualTo(400);
        assertThat(noAccess.json().path("error").path("message").asText()).startsWith("Expecting to find access in credential.");
        assertThat(owner.post("/v3/credentials", credential(ownerId, "ec2", "[]", projectId)).status()).isEqualTo(400);

        ObjectNode typeless = credential(ownerId, "cert", "b", null);
        ((ObjectNode) typeless.get("credential")).remove("type");
        assertThat(owner.post("/v3/credentials", typeless).status()).isEqualTo(400);
        ObjectNode blobless = credential(ownerId, "cert", "b", null);
        ((ObjectNode) blobless.get("credential")).remove("blob");
        assertThat(owner.post("/v3/credentials", blobless).status()).isEqualTo(400);
        assertThat(admin.post("/v3/credentials", credential("nobody", "cert", "b", null)).status()).isEqualTo(404);

        String id = owner.post("/v3/credentials", credential(ownerId, "cert", "b", null)).json().path("credential").path("id").asText();
        assertThat(owner.patch("/v3/credentials/" + id, wrap("credential", Json.object())).status()).isEqualTo(400);
        assertThat(owner.patch("/v3/credentials/" + id, wrap("credential", Json.object().put("id", "other"))).status()).isEqualTo(400);
        // becoming an EC2 credential needs a project and a blob with an access key
        assertThat(owner.patch("/v3/credentials/" + id, wrap("credential", Json.object().put("type", "ec2"))).status()).isEqualTo(400);
        assertThat(admin.patch("/v3/credentials/missing", wrap("credential", Json.object().put("blob", "x"))).status()).isEqualTo(404);
        assertThat(admin.delete("/v3/credentials/missing").status()).isEqualTo(404);
    }

    @Test
    void theDelegationKeysOfAnEc2BlobCannotChange() {
        String blob = "{\"access\":\"scoped-access\",\"secret\":\"s\",\"trust_id\":\"t1\"}";
        String id = admin.post("/v3/credentials", credential(ownerId, "ec2", blob, projectId)).json().path("credential").path("id").asText();
        ApiClient.Response changed = admin.patch("/v3/credentials/" + id,
                wrap("credential", Json.object().put("blob", "{\"access\":\"scoped-access\",\"secret\":\"s2\"}")));
        assertThat(changed.status()).isEqualTo(400);
        assertThat(changed.json().path("error").path("message").asText()).isEqualTo("trust_id can not be updated for credential");
        assertThat(admin.patch("/v3/credentials/" + id,
                wrap("credential", Json.object().put("blob", "{\"access\":\"scoped-access\",\"secret\":\"s2\",\"trust_id\":\"t1\"}")))
                .status()).isEqualTo(200);
    }

    @Test
    void usersSeeAndManageOnlyTheirOwnCredentials() {
        String mine = owner.post("/v3/credentials", credential(ownerId, "totp", "mine", null)).json().path("credential").path("id").asText();
        String theirs = stranger.post("/v3/credentials", credential(strangerId, "totp", "theirs", null))
                .json().path("credential").path("id").asText();

        List<String> listed = ids(owner.get("/v3/credentials").json().path("credentials"));
        assertThat(listed).contains(mine).doesNotContain(theirs);
        assertThat(ids(owner.get("/v3/credentials?user_id=" + strangerId).json().path("credentials"))).isEmpty();
        assertThat(ids(admin.get("/v3/credentials?user_id=" + strangerId).json().path("credentials"))).contains(theirs);
        assertThat(ids(owner.get("/v3/credentials?type=totp").json().path("credentials"))).containsExactly(mine);

        assertThat(owner.get("/v3/credentials/" + theirs).status()).isEqualTo(403);
        assertThat(owner.patch("/v3/credentials/" + theirs, wrap("credential", Json.object().put("blob", "x"))).status()).isEqualTo(403);
        assertThat(owner.delete("/v3/credentials/" + theirs).status()).isEqualTo(403);
        assertThat(owner.post("/v3/credentials", credential(strangerId, "totp", "planted", null)).status()).isEqualTo(403);
        // nor hand one's own credential to someone else
        assertThat(owner.patch("/v3/credentials/" + mine, wrap("credential", Json.object().put("user_id", strangerId))).status())
                .isEqualTo(403);
        assertThat(admin.get("/v3/credentials/" + theirs).status()).isEqualTo(200);

        assertThat(server.anonymous().get("/v3/credentials").status()).isEqualTo(401);
        assertThat(server.anonymous().post("/v3/credentials", credential(ownerId, "totp", "x", null)).status()).isEqualTo(401);
    }

    // OS-EC2

    @Test
    void createsListsShowsAndDeletesEc2Credentials() {
        String path = "/v3/users/" + ownerId + "/credentials/OS-EC2";
        ApiClient.Response created = owner.post(path, Json.object().put("tenant_id", projectId));
        assertThat(created.status()).isEqualTo(201);
        JsonNode ec2 = created.json().path("credential");
        String access = ec2.path("access").asText();
        assertThat(access).matches("[0-9a-f]{32}");
        assertThat(ec2.path("secret").asText()).matches("[0-9a-f]{32}");
        assertThat(ec2.path("user_id").asText()).isEqualTo(ownerId);
        assertThat(ec2.path("tenant_id").asText()).isEqualTo(projectId);
        assertThat(ec2.has("trust_id")).isTrue();
        assertThat(ec2.path("trust_id").isNull()).isTrue();
        assertThat(ec2.path("links").path("self").asText()).endsWith(path + "/" + access);

        JsonNode listed = owner.get(path).json().path("credentials");
        assertThat(listed.valueStream().map(c -> c.path("access").asText()).toList()).contains(access);

        ApiClient.Response shown = owner.get(path + "/" + access);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().path("credential").path("secret").asText()).isEqualTo(ec2.path("secret").asText());

        // the same row through /v3/credentials
        JsonNode stored = owner.get("/v3/credentials/" + CredentialApi.sha256(access)).json().path("credential");
        assertThat(stored.path("type").asText()).isEqualTo("ec2");
        assertThat(stored.path("project_id").asText()).isEqualTo(projectId);
        assertThat(Json.parse(stored.path("blob").asText().getBytes()).path("access").asText()).isEqualTo(access);

        assertThat(owner.delete(path + "/" + access).status()).isEqualTo(204);
        assertThat(owner.get(path + "/" + access).status()).isEqualTo(404);
        assertThat(owner.delete(path + "/" + access).status()).isEqualTo(404);
    }

    @Test
    void rejectsBadEc2Requests() {
        String path = "/v3/users/" + ownerId + "/credentials/OS-EC2";
        assertThat(owner.post(path, Json.object()).status()).isEqualTo(400);
        assertThat(owner.post(path, "").status()).isEqualTo(400);
        ApiClient.Response noProject = owner.post(path, Json.object().put("tenant_id", "no-such-project"));
        assertThat(noProject.status()).isEqualTo(404);
        assertThat(noProject.json().path("error").path("message").asText()).isEqualTo("Could not find project: no-such-project.");
        assertThat(admin.post("/v3/users/nobody/credentials/OS-EC2", Json.object().put("tenant_id", projectId)).status()).isEqualTo(404);
        assertThat(admin.get("/v3/users/nobody/credentials/OS-EC2").status()).isEqualTo(404);
        assertThat(owner.get(path + "/no-such-access").status()).isEqualTo(404);
    }

    @Test
    void ec2CredentialsArePrivateAndNeedAMember() {
        String path = "/v3/users/" + ownerId + "/credentials/OS-EC2";
        String access = owner.post(path, Json.object().put("tenant_id", projectId)).json().path("credential").path("access").asText();

        assertThat(stranger.get(path).status()).isEqualTo(403);
        assertThat(stranger.get(path + "/" + access).status()).isEqualTo(403);
        assertThat(stranger.delete(path + "/" + access).status()).isEqualTo(403);
        assertThat(stranger.post(path, Json.object().put("tenant_id", projectId)).status()).isEqualTo(403);
        // the access key decides whose credential it is, not the user in the path
        assertThat(stranger.get("/v3/users/" + strangerId + "/credentials/OS-EC2/" + access).status()).isEqualTo(403);
        assertThat(admin.get(path + "/" + access).status()).isEqualTo(200);

        ApiClient.Response readerCreate = reader.post("/v3/users/" + readerId + "/credentials/OS-EC2",
                Json.object().put("tenant_id", projectId));
        assertThat(readerCreate.status()).isEqualTo(403);
        assertThat(reader.get("/v3/users/" + readerId + "/credentials/OS-EC2").status()).isEqualTo(200);

        assertThat(server.anonymous().get(path).status()).isEqualTo(401);
    }

    @Test
    void aRestrictedApplicationCredentialCannotMakeEc2CredentialsAndSeesOnlyItsProject() {
        ObjectNode body = Json.object();
        body.putObject("application_credential").put("name", "ec2-maker");
        JsonNode appCred = owner.post("/v3/users/" + ownerId + "/application_credentials", body).json().path("application_credential");
        ObjectNode auth = Json.object();
        ObjectNode identity = auth.putObject("auth").putObject("identity");
        identity.putArray("methods").add("application_credential");
        identity.putObject("application_credential").put("id", appCred.path("id").asText()).put("secret", appCred.path("secret").asText());
        ApiClient delegated = admin.as(server.anonymous().post("/v3/auth/tokens", auth).header("X-Subject-Token"));

        String path = "/v3/users/" + ownerId + "/credentials/OS-EC2";
        ApiClient.Response refused = delegated.post(path, Json.object().put("tenant_id", projectId));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(delegated.post("/v3/credentials", credential(ownerId, "ec2", "{\"access\":\"by-app\"}", projectId)).status())
                .isEqualTo(403);

        String unscoped = owner.post("/v3/credentials", credential(ownerId, "totp", "no project", null))
                .json().path("credential").path("id").asText();
        String scoped = owner.post("/v3/credentials", credential(ownerId, "cert", "in project", projectId))
                .json().path("credential").path("id").asText();
        assertThat(delegated.get("/v3/credentials/" + unscoped).status()).isEqualTo(403);
        assertThat(delegated.get("/v3/credentials/" + scoped).status()).isEqualTo(200);
        assertThat(ids(delegated.get("/v3/credentials").json().path("credentials"))).contains(scoped).doesNotContain(unscoped);
    }

    private static ObjectNode credential(String userId, String type, String blob, String project) {
        ObjectNode credential = Json.object().put("user_id", userId).put("type", type).put("blob", blob);
        if (project != null) {
            credential.put("project_id", project);
        }
        return wrap("credential", credential);
    }
}
