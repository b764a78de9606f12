package org.nubes.identity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashSet;
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
import org.nubes.identity.service.Directory;
import org.nubes.identity.service.Passwords;
import org.nubes.identity.service.Snapshot;
import org.nubes.identity.service.TokenData;
import org.nubes.identity.service.Tokens;
import org.nubes.identity.store.ApplicationCredential;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Ids;
import org.nubes.identity.store.Role;

/**
 * /v3/users/{user_id}/application_credentials. An application credential holds a subset of the
 * roles of the token that created it, on that token's project; only a bcrypt hash of its secret is
 * kept, so the secret is shown once, in the answer to the create.
 */
final class ApplicationCredentialApi {
    /** Keystone's create schema does not allow other attributes. */
    private static final Set<String> ALLOWED = Set.of("id", "name", "description", "secret", "expires_at", "project_id",
            "roles", "unrestricted", "access_rules", "system");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CLIENT_ERROR = "The server could not comply with the request since it is either "
            + "malformed or otherwise incorrect. The client is assumed to be in error.";

    private final IdentityStores stores;
    private final Directory directory;
    private final Passwords passwords;
    private final Tokens tokens;

    ApplicationCredentialApi(IdentityStores stores, Directory directory, Passwords passwords, Tokens tokens) {
        this.stores = stores;
        this.directory = directory;
        this.passwords = passwords;
        this.tokens = tokens;
    }

    void register(Routes routes) {
        String collection = "/v3/users/{user_id}/application_credentials";
        routes.get(collection, Access.rule("identity:list_application_credentials"), this::list);
        routes.post(collection, Access.rule("identity:create_application_credential"), this::create);
        routes.get(collection + "/{application_credential_id}", Access.rule("identity:get_application_credential"), this::show);
        routes.delete(collection + "/{application_credential_id}", Access.rule("identity:delete_application_credential"),
                this::delete);
        // Access rules are refused at creation, so every user's list of them is empty.
        routes.get("/v3/users/{user_id}/access_rules", Access.rule("identity:list_access_rules"), this::listAccessRules);
        routes.get("/v3/users/{user_id}/access_rules/{access_rule_id}", Access.rule("identity:get_access_rule"),
                this::showAccessRule);
    }

    private void listAccessRules(Context ctx) {
        Http.enforce(ctx, "identity:list_access_rules", Target.of("user_id", ctx.pathParam("user_id")));
        Lists.answer(ctx, "access_rules", List.of());
    }

    private void showAccessRule(Context ctx) {
        Http.enforce(ctx, "identity:get_access_rule", Target.of("user_id", ctx.pathParam("user_id")));
        throw ApiException.notFound("Could not find access rule: %s.", ctx.pathParam("access_rule_id"));
    }

    private void list(Context ctx) {
        String userId = ctx.pathParam("user_id");
        Http.enforce(ctx, "identity:list_application_credentials", Target.of("user_id", userId));
        String base = Http.baseUrl(ctx);
        Snapshot snapshot = directory.current();
        List<ObjectNode> appCreds = stores.credentials().applicationCredentialsOf(userId).stream()
                .map(a -> Views.applicationCredential(base, a, roles(snapshot, a.roleIds()))).toList();
        Lists.answer(ctx, "application_credentials", Filters.apply(ctx, appCreds, Set.of("name")));
    }

    private void create(Context ctx) {
        String userId = ctx.pathParam("user_id");
        Http.enforce(ctx, "identity:create_application_credential", Target.of("user_id", userId));
        AuthContext caller = Http.caller(ctx);
        requireUnrestricted(caller);
        if (!caller.userId().equals(userId)) {
            throw forbidden("Cannot create an application credential for another user");
        }
        ObjectNode body = Body.resource(ctx, "application_credential");
        Body.rejectUnknown(body, "application_credential", ALLOWED);
        String name = Body.requiredString(body, "name", 255);
        String description = Body.optionalString(body, "description", 65535);
        String secret = Body.optionalString(body, "secret", 4096);
        if (secret == null || secret.isEmpty()) {
            secret = newSecret();
        }
        Instant expiresAt = expiresAt(Body.optionalString(body, "expires_at", 64));
        boolean unrestricted = body.hasNonNull("unrestricted") && Body.bool(body, "unrestricted", false);
        JsonNode accessRules = body.get("access_rules");
        if (accessRules != null && !accessRules.isNull() && !(accessRules.isArray() && accessRules.isEmpty())) {
            throw Body.invalid("access_rules", "access rules are not supported; leave 'access_rules' out or empty");
        }
        if (caller.projectId() == null) {
            throw invalid("an application credential is created for the project of a project-scoped token.");
        }
        TokenData token = tokens.validate(caller.token(), false);
        List<String> roleIds = roleIds(body.get("roles"), token);
        ApplicationCredential appCred = new ApplicationCredential(Ids.newId(), name, userId, caller.projectId(),
                passwords.hash(secret), description, expiresAt, unrestricted, Instant.now(), roleIds);
        stores.credentials().createApplicationCredential(appCred);
        ObjectNode view = Views.applicationCredential(Http.baseUrl(ctx), appCred, roles(directory.current(), roleIds));
        view.put("secret", secret);
        Http.json(ctx, 201, wrap(view));
    }

    private void show(Context ctx) {
        ApplicationCredential appCred = readable(ctx, "identity:get_application_credential");
        Http.json(ctx, wrap(Views.applicationCredential(Http.baseUrl(ctx), appCred,
                roles(directory.current(), appCred.roleIds()))));
    }

    /** Tokens made from the credential stop validating: they resolve it on every validation. */
    private void delete(Context ctx) {
        ApplicationCredential appCred = readable(ctx, "identity:delete_application_credential");
        requireUnrestricted(Http.caller(ctx));
        stores.credentials().deleteApplicationCredential(appCred.id());
        Http.noContent(ctx);
    }

    /**
     * The credential of the path after the rule allowed the caller. As in Keystone, the owner the
     * rule checks is the credential's user, not the user of the path, so that naming oneself in the
     * path does not open another user's credential.
     */
    private ApplicationCredential readable(Context ctx, String rule) {
        String id = ctx.pathParam("application_credential_id");
        Optional<ApplicationCredential> appCred = stores.credentials().applicationCredential(id);
        Http.enforce(ctx, rule, Target.of("user_id", appCred.map(ApplicationCredential::userId).orElse(ctx.pathParam("user_id"))));
        return appCred.orElseThrow(() -> ApiException.notFound("Could not find Application Credential: %s.", id));
    }

    /**
     * A token from a restricted application credential may not make or remove application
     * credentials: otherwise a leaked credential could mint new ones that outlive it.
     */
    private void requireUnrestricted(AuthContext caller) {
        if (caller.applicationCredentialId() == null) {
            return;
        }
        boolean unrestricted = stores.credentials().applicationCredential(caller.applicationCredentialId())
                .map(ApplicationCredential::unrestricted).orElse(false);
        if (!unrestricted) {
            throw forbidden("Using method 'application_credential' is not allowed for managing additional application credentials");
        }
    }

    /**
     * The roles asked for (by id or by name) with the roles they imply, all of which the caller's
     * token must hold; without "roles", every role of the token.
     */
    private List<String> roleIds(JsonNode requested, TokenData token) {
        Set<String> tokenRoles = new LinkedHashSet<>(token.roles().stream().map(Role::id).toList());
        if (requested == null || requested.isNull() || (requested.isArray() && requested.isEmpty())) {
            return List.copyOf(tokenRoles);
        }
        if (!requested.isArray()) {
            throw Body.invalid("roles", requested + " is not of type 'array'");
        }
        Set<String> asked = new LinkedHashSet<>();
        for (JsonNode ref : requested) {
            asked.add(roleId(ref));
        }
        Set<String> ids = directory.current().withImplied(asked);
        if (!tokenRoles.containsAll(ids)) {
            throw invalid("Cannot create an application credential with unassigned role");
        }
        return List.copyOf(ids);
    }

    /** One {"id": ...} or {"name": ...}; a name must be one global role. */
    private String roleId(JsonNode ref) {
        if (!ref.isObject() || ref.size() != 1 || !(ref.has("id") || ref.has("name")) || !ref.elements().next().isTextual()) {
            throw Body.invalid("roles", ref + " is not a role reference: give exactly one of 'id' or 'name'");
        }
        if (ref.has("id")) {
            return ref.get("id").asText();
        }
        String name = ref.get("name").asText();
        return stores.roles().byName(name, null).map(Role::id)
                .orElseThrow(() -> ApiException.notFound("Could not find role: %s.", name));
    }

    /** ISO 8601; a time without an offset is UTC, as Keystone reads it. It may not be in the past. */
    private static Instant expiresAt(String text) {
        if (text == null) {
            return null;
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                instant = LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("Timestamp not in expected format. " + CLIENT_ERROR);
            }
        }
        if (instant.isBefore(Instant.now())) {
            throw ApiException.badRequest("The 'expires_at' must not be before now. " + CLIENT_ERROR);
        }
        // Keystone keeps microseconds; cut rather than let the database round up past the time asked for.
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    /** 64 random bytes, URL-safe base64 without padding, like Keystone's generated secrets. */
    private static String newSecret() {
        byte[] bytes = new byte[64];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The roles of the ids; a role deleted since is left out. */
    private static List<Role> roles(Snapshot snapshot, List<String> ids) {
        return ids.stream().map(snapshot.roles()::get).filter(Objects::nonNull).toList();
    }


    private static ApiException invalid(String detail) {
        return ApiException.badRequest("Invalid application credential: %s", detail);
    }

    private static ApiException forbidden(String action) {
        return ApiException.forbidden("You are not authorized to perform the requested action: %s.", action);
    }

    private static ObjectNode wrap(ObjectNode appCred) {
        return Views.wrap("application_credential", appCred);
    }
}
