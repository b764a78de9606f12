package org.nubes.identity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;
import org.nubes.identity.store.ApplicationCredential;
import org.nubes.identity.store.Credential;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Ids;
import org.nubes.identity.store.User;

/**
 * /v3/credentials, and the OS-EC2 API that `openstack ec2 credentials` uses. Both work on the same
 * rows: an EC2 credential is a credential of type "ec2" whose blob holds the access and secret
 * keys and whose id is the hex SHA-256 of the access key, so either API finds it.
 */
final class CredentialApi {
    private static final Set<String> KNOWN = Set.of("user_id", "project_id", "type", "blob");
    private static final String EC2 = "ec2";
    /** Blob keys that tie an EC2 credential to a delegation; an update may not change them. */
    private static final List<String> SCOPE_KEYS = List.of("trust_id", "app_cred_id", "access_token_id", "access_id");
    private static final String CLIENT_ERROR = "The server could not comply with the request since it is either "
            + "malformed or otherwise incorrect. The client is assumed to be in error.";

    private final IdentityStores stores;

    CredentialApi(IdentityStores stores) {
        this.stores = stores;
    }

    void register(Routes routes) {
        routes.get("/v3/credentials", Access.rule("identity:list_credentials"), this::list);
        routes.post("/v3/credentials", Access.rule("identity:create_credential"), this::create);
        routes.get("/v3/credentials/{credential_id}", Access.rule("identity:get_credential"), this::show);
        routes.patch("/v3/credentials/{credential_id}", Access.rule("identity:update_credential"), this::update);
        routes.delete("/v3/credentials/{credential_id}", Access.rule("identity:delete_credential"), this::delete);

        String ec2 = "/v3/users/{user_id}/credentials/OS-EC2";
        routes.get(ec2, Access.rule("identity:ec2_list_credentials"), this::ec2List);
        routes.post(ec2, Access.rule("identity:ec2_create_credential"), this::ec2Create);
        routes.get(ec2 + "/{credential_id}", Access.rule("identity:ec2_get_credential"), this::ec2Show);
        routes.delete(ec2 + "/{credential_id}", Access.rule("identity:ec2_delete_credential"), this::ec2Delete);
    }

    // /v3/credentials

    /** Everyone may list; each caller sees the credentials get_credential would show them. */
    private void list(Context ctx) {
        AuthContext caller = Http.caller(ctx);
        Http.enforce(ctx, "identity:list_credentials", Target.of("user_id", caller.userId()));
        String base = Http.baseUrl(ctx);
        List<ObjectNode> visible = stores.credentials().credentials().stream()
                .filter(c -> Http.allows(ctx, "identity:get_credential", Target.of("user_id", c.userId())))
                .filter(c -> inDelegatedScope(caller, c.projectId()))
                .map(c -> Views.credential(base, c)).toList();
        Lists.answer(ctx, "credentials", Filters.apply(ctx, visible, Set.of("user_id", "type")));
    }

    private void create(Context ctx) {
        ObjectNode body = Body.resource(ctx, "credential");
        String userId = Body.requiredString(body, "user_id", 64);
        String type = Body.requiredString(body, "type", 255);
        String blob = blob(body);
        String projectId = Body.optionalString(body, "project_id", 64);
        boolean ec2 = EC2.equalsIgnoreCase(type);
        if (ec2 && projectId == null) {
            throw Body.invalid("credential", "'project_id' is a required property for an 'ec2' credential");
        }
        Http.enforce(ctx, "identity:create_credential", Target.of("user_id", userId));
        AuthContext caller = Http.caller(ctx);
        if (ec2) {
            requireUnrestricted(caller, "credentials");
        }
        requireDelegatedScope(caller, projectId, "Credential");
        String id = Ids.newId();
        if (ec2) {
            ObjectNode keys = ec2Blob(blob);
            // A credential made with an application credential's token stays tied to it.
            if (caller.applicationCredentialId() != null) {
                keys.put("app_cred_id", caller.applicationCredentialId());
                blob = Json.string(keys);
            }
            id = sha256(keys.get("access").asText());
        }
        requireUser(userId);
        Credential credential = new Credential(id, userId, projectId, type, blob, Body.extra(body, KNOWN));
        stores.credentials().createCredential(credential);
        Http.json(ctx, 201, wrap(Views.credential(Http.baseUrl(ctx), credential)));
    }

    private void show(Context ctx) {
        Credential credential = readable(ctx, "identity:get_credential");
        Http.json(ctx, wrap(Views.credential(Http.baseUrl(ctx), credential)));
    }

    private void update(Context ctx) {
        Credential current = readable(ctx, "identity:update_credential");
        ObjectNode body = Body.resource(ctx, "credential");
        if (body.isEmpty()) {
            throw Body.invalid("credential", "{} does not have enough properties");
        }
        if (body.hasNonNull("id") && !body.get("id").asText().equals(current.id())) {
            throw ApiException.badRequest("Cannot change ID");
        }
        String userId = body.has("user_id") ? Body.requiredString(body, "user_id", 64) : current.userId();
        String type = body.has("type") ? Body.requiredString(body, "type", 255) : current.type();
        String projectId = body.has("project_id") ? Body.optionalString(body, "project_id", 64) : current.projectId();
        String blob = body.has("blob") ? blob(body) : current.blob();
        if (EC2.equalsIgnoreCase(type)) {
            ObjectNode keys = ec2Blob(blob);
            if (body.has("blob") && EC2.equalsIgnoreCase(current.type())) {
                JsonNode old = parseObject(current.blob());
                for (String key : SCOPE_KEYS) {
                    if (!Objects.equals(old.get(key), keys.get(key))) {
                        throw ApiException.badRequest("%s can not be updated for credential", key);
                    }
                }
            }
        }
        if (EC2.equalsIgnoreCase(type) && projectId == null) {
            throw validation("project_id");
        }
        // The caller must also be allowed to own the credential as changed: no handing it to another user.
        Http.enforce(ctx, "identity:update_credential", Target.of("user_id", userId));
        requireDelegatedScope(Http.caller(ctx), projectId, "Credential");
        if (!userId.equals(current.userId())) {
            requireUser(userId);
        }
        Credential updated = new Credential(current.id(), userId, projectId, type, blob,
                Body.mergeExtra(current.extra(), body, KNOWN));
        stores.credentials().updateCredential(updated);
        Http.json(ctx, wrap(Views.credential(Http.baseUrl(ctx), updated)));
    }

    private void delete(Context ctx) {
        Credential credential = readable(ctx, "identity:delete_credential");
        stores.credentials().deleteCredential(credential.id());
        Http.noContent(ctx);
    }

    /**
     * The credential of the path after the rule allowed the caller. The rule is checked first,
     * against no owner when the credential does not exist, so that only callers who could see it
     * learn whether an id exists.
     */
    private Credential readable(Context ctx, String rule) {
        String id = ctx.pathParam("credential_id");
        Optional<Credential> credential = stores.credentials().credential(id);
        Http.enforce(ctx, rule, Target.of("user_id", credential.map(Credential::userId).orElse(null)));
        Credential found = credential.orElseThrow(() -> ApiException.notFound("Could not find credential: %s.", id));
        requireDelegatedScope(Http.caller(ctx), found.projectId(), "Credential");
        return found;
    }

    private static String blob(ObjectNode body) {
        String blob = Body.optionalString(body, "blob", 65535);
        if (blob == null) {
            throw Body.invalid("blob", "'blob' is a required property");
        }
        return blob;
    }

    // OS-EC2

    private void ec2List(Context ctx) {
        String userId = ctx.pathParam("user_id");
        Http.enforce(ctx, "identity:ec2_list_credentials", Target.of("user_id", userId));
        requireUser(userId);
        AuthContext caller = Http.caller(ctx);
        String base = Http.baseUrl(ctx);
        List<ObjectNode> credentials = stores.credentials().credentials().stream()
                .filter(c -> c.userId().equals(userId) && EC2.equals(c.type()))
                .filter(c -> inDelegatedScope(caller, c.projectId()))
                .map(c -> ec2View(base, c)).toList();
        Lists.answer(ctx, "credentials", credentials);
    }

    private void ec2Create(Context ctx) {
        String userId = ctx.pathParam("user_id");
        Http.enforce(ctx, "identity:ec2_create_credential", Target.of("user_id", userId));
        AuthContext caller = Http.caller(ctx);
        requireUnrestricted(caller, "application credentials");
        requireUser(userId);
        String projectId = Body.requiredString(Http.jsonBody(ctx), "tenant_id", 64);
        stores.projects().get(projectId).orElseThrow(() -> ApiException.notFound("Could not find project: %s.", projectId));
        requireDelegatedScope(caller, projectId, "EC2 credential");
        ObjectNode keys = Json.object();
        keys.put("access", Ids.newId()).put("secret", Ids.newId()).putNull("trust_id");
        Credential credential = new Credential(sha256(keys.get("access").asText()), userId, projectId, EC2,
                Json.string(keys), Json.object());
        stores.credentials().createCredential(credential);
        Http.json(ctx, 201, wrap(ec2View(Http.baseUrl(ctx), credential)));
    }

    private void ec2Show(Context ctx) {
        Credential credential = ec2Readable(ctx, "identity:ec2_get_credential");
        Http.json(ctx, wrap(ec2View(Http.baseUrl(ctx), credential)));
    }

    private void ec2Delete(Context ctx) {
        Credential credential = ec2Readable(ctx, "identity:ec2_delete_credential");
        stores.credentials().deleteCredential(credential.id());
        Http.noContent(ctx);
    }

    /** The EC2 credential of an access key, checked in Keystone's order. */
    private Credential ec2Readable(Context ctx, String rule) {
        String id = sha256(ctx.pathParam("credential_id"));
        Credential credential = stores.credentials().credential(id)
                .orElseThrow(() -> ApiException.notFound("Could not find credential: %s.", id));
        Http.enforce(ctx, rule, Target.of("user_id", credential.userId()));
        requireUser(ctx.pathParam("user_id"));
        if (!EC2.equals(credential.type())) {
            throw ApiException.unauthorized("EC2 access key not found.");
        }
        requireDelegatedScope(Http.caller(ctx), credential.projectId(), "EC2 credential");
        return credential;
    }

    /** What the OS-EC2 API shows of a credential: the keys from its blob, and tenant_id for project_id. */
    private static ObjectNode ec2View(String base, Credential c) {
        JsonNode keys = parseObject(c.blob());
        String access = keys.path("access").asText(null);
        ObjectNode n = Json.object();
        n.put("user_id", c.userId()).put("tenant_id", c.projectId()).put("access", access)
                .put("secret", keys.path("secret").asText(null)).put("trust_id", keys.path("trust_id").asText(null));
        n.set("links", Views.links(base + "/v3/users/" + c.userId() + "/credentials/OS-EC2/" + access));
        return n;
    }

    // Shared

    private User requireUser(String id) {
        return stores.users().get(id).orElseThrow(() -> ApiException.notFound("Could not find user: %s.", id));
    }

    /**
     * A token from a restricted application credential may not make EC2 credentials: they would
     * give the holder a way in that outlives the application credential.
     */
    private void requireUnrestricted(AuthContext caller, String what) {
        if (caller.applicationCredentialId() == null) {
            return;
        }
        boolean unrestricted = stores.credentials().applicationCredential(caller.applicationCredentialId())
                .map(ApplicationCredential::unrestricted).orElse(false);
        if (!unrestricted) {
            throw ApiException.forbidden("You are not authorized to perform the requested action: "
                    + "Using method 'application_credential' is not allowed for managing additional %s.", what);
        }
    }

    /** A delegated (application credential) token reaches only credentials of its own project. */
    private static boolean inDelegatedScope(AuthContext caller, String projectId) {
        return caller.applicationCredentialId() == null || Objects.equals(projectId, caller.projectId());
    }

    private static void requireDelegatedScope(AuthContext caller, String projectId, String what) {
        if (!inDelegatedScope(caller, projectId)) {
            throw ApiException.forbidden("You are not authorized to perform the requested action: "
                    + "%s project does not match the project scope of the delegated token.", what);
        }
    }

    /** The blob of an EC2 credential: a JSON object with at least an access key. */
    private static ObjectNode ec2Blob(String blob) {
        JsonNode keys;
        try {
            keys = Json.parse(blob.getBytes(StandardCharsets.UTF_8));
        } catch (UncheckedIOException e) {
            throw ApiException.badRequest("Invalid blob in credential");
        }
        if (!(keys instanceof ObjectNode object) || object.isEmpty()) {
            throw validation("blob");
        }
        if (!object.path("access").isTextual()) {
            throw validation("access");
        }
        return object;
    }

    /** A stored blob as JSON, or an empty object when it is not a JSON object. */
    private static JsonNode parseObject(String blob) {
        try {
            JsonNode node = Json.parse(blob.getBytes(StandardCharsets.UTF_8));
            return node != null && node.isObject() ? node : Json.object();
        } catch (UncheckedIOException e) {
            return Json.object();
        }
    }

    private static ApiException validation(String attribute) {
        return ApiException.badRequest("Expecting to find %s in credential. %s", attribute, CLIENT_ERROR);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static ObjectNode wrap(ObjectNode credential) {
        return Views.wrap("credential", credential);
    }
}
