package org.nubes.identity.service;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.nubes.core.http.ApiException;
import org.nubes.identity.store.ApplicationCredential;
import org.nubes.identity.store.Domain;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Project;
import org.nubes.identity.store.User;
import org.nubes.identity.token.Scope;

/**
 * Keystone's POST /v3/auth/tokens: authenticates with the password, token or
 * application_credential method, resolves the requested scope and issues the token.
 */
public final class Authenticator {
    private static final Set<String> METHODS = Set.of("password", "token", "application_credential");

    private final IdentityStores stores;
    private final Directory directory;
    private final Tokens tokens;
    private final Passwords passwords;

    public Authenticator(IdentityStores stores, Directory directory, Tokens tokens, Passwords passwords) {
        this.stores = stores;
        this.directory = directory;
        this.tokens = tokens;
        this.passwords = passwords;
    }

    /** Who authenticated and how, before a scope is chosen. */
    private record Authenticated(User user, Set<String> methods, Instant expiresAt, List<String> parentAuditIds,
                                 ApplicationCredential appCred, TokenData fromToken) {}

    public TokenData authenticate(JsonNode auth) {
        if (!auth.isObject()) {
            throw ApiException.badRequest("Invalid input for field 'auth': an object is expected.");
        }
        JsonNode identity = auth.path("identity");
        JsonNode methods = identity.path("methods");
        if (!identity.isObject() || !methods.isArray() || methods.isEmpty()) {
            throw ApiException.badRequest("Invalid input for field 'identity': 'methods' is a required property and must be a non-empty list.");
        }
        Authenticated who = null;
        for (JsonNode m : methods) {
            String method = m.asText();
            if (!METHODS.contains(method)) {
                throw ApiException.unauthorized("Attempted to authenticate with an unsupported method: %s.", method);
            }
            JsonNode body = identity.path(method);
            if (!body.isObject()) {
                throw ApiException.badRequest("Invalid input for field 'identity': '%s' is a required property.", method);
            }
            Authenticated next = switch (method) {
                case "password" -> password(body);
                case "token" -> token(body);
                default -> applicationCredential(body);
            };
            if (who != null && !who.user().id().equals(next.user().id())) {
                throw ApiException.unauthorized("The methods authenticated different users.");
            }
            who = who == null ? next : merge(who, next);
        }
        JsonNode requested = auth.path("scope");
        if (who.fromToken() != null && who.fromToken().isSystem() && (requested.has("project") || requested.has("domain"))) {
            throw ApiException.forbidden("Using a system-scoped token to create a project-scoped or domain-scoped token is not allowed.");
        }
        Scope scope = scope(requested, who);
        return tokens.issue(who.user().id(), who.methods(), scope, who.appCred(), who.expiresAt(), who.parentAuditIds());
    }

    private static Authenticated merge(Authenticated a, Authenticated b) {
        Set<String> methods = new LinkedHashSet<>(a.methods());
        methods.addAll(b.methods());
        return new Authenticated(a.user(), methods, a.expiresAt() != null ? a.expiresAt() : b.expiresAt(),
                a.parentAuditIds() != null ? a.parentAuditIds() : b.parentAuditIds(),
                a.appCred() != null ? a.appCred() : b.appCred(), a.fromToken() != null ? a.fromToken() : b.fromToken());
    }

    private Authenticated password(JsonNode body) {
        JsonNode userNode = body.path("user");
        if (!userNode.isObject()) {
            throw ApiException.badRequest("Invalid input for field 'password': 'user' is a required property.");
        }
        String password = userNode.path("password").isTextual() ? userNode.path("password").asText() : null;
        if (password == null) {
            throw ApiException.badRequest("Invalid input for field 'user': 'password' is a required property.");
        }
        User user = findUser(userNode).orElse(null);
        boolean ok = passwords.matches(password, user == null ? null : user.passwordHash());
        if (user == null || !ok) {
            throw ApiException.unauthorized("The request you have made requires authentication.");
        }
        requireEnabled(user);
        return new Authenticated(user, Set.of("password"), null, null, null, null);
    }

    private Authenticated token(JsonNode body) {
        String id = body.path("id").asText(null);
        if (id == null) {
            throw ApiException.badRequest("Invalid input for field 'token': 'id' is a required property.");
        }
        TokenData token;
        try {
            token = tokens.validate(id, false);
        } catch (ApiException e) {
            throw ApiException.unauthorized("The request you have made requires authentication.");
        }
        if (token.applicationCredential() != null) {
            throw ApiException.forbidden("Using a token to rescope an application credential token is not allowed.");
        }
        Set<String> methods = new LinkedHashSet<>();
        methods.add("token");
        methods.addAll(token.payload().methods());
        return new Authenticated(token.user(), methods, token.expiresAt(), token.payload().auditIds(), null, token);
    }

    private Authenticated applicationCredential(JsonNode body) {
        String secret = body.path("secret").asText(null);
        if (secret == null) {
            throw ApiException.badRequest("Invalid input for field 'application_credential': 'secret' is a required property.");
        }
        ApplicationCredential appCred;
        if (body.hasNonNull("id")) {
            appCred = stores.credentials().applicationCredential(body.path("id").asText()).orElse(null);
        } else if (body.hasNonNull("name") && body.path("user").isObject()) {
            User owner = findUser(body.path("user")).orElse(null);
            appCred = owner == null ? null : stores.credentials().applicationCredentialsOf(owner.id()).stream()
                    .filter(a -> a.name().equals(body.path("name").asText())).findFirst().orElse(null);
        } else {
            throw ApiException.badRequest("Invalid input for field 'application_credential': give 'id', or 'name' and 'user'.");
        }
        boolean ok = passwords.matches(secret, appCred == null ? null : appCred.secretHash());
        if (appCred == null || !ok || appCred.isExpired(Instant.now())) {
            throw ApiException.unauthorized("The request you have made requires authentication.");
        }
        User user = stores.users().get(appCred.userId()).orElseThrow(
                () -> ApiException.unauthorized("The request you have made requires authentication."));
        requireEnabled(user);
        return new Authenticated(user, Set.of("application_credential"), null, null, appCred, null);
    }

    private java.util.Optional<User> findUser(JsonNode userNode) {
        if (userNode.hasNonNull("id")) {
            return stores.users().get(userNode.path("id").asText());
        }
        if (!userNode.hasNonNull("name")) {
            throw ApiException.badRequest("Invalid input for field 'user': 'id' or 'name' is required.");
        }
        Domain domain = domain(userNode.path("domain"), "user");
        return stores.users().byName(domain.id(), userNode.path("name").asText());
    }

    private Domain domain(JsonNode domainNode, String field) {
        if (domainNode.hasNonNull("id")) {
            return stores.domains().get(domainNode.path("id").asText())
                    .orElseThrow(() -> ApiException.unauthorized("The request you have made requires authentication."));
        }
        if (domainNode.hasNonNull("name")) {
            return stores.domains().byName(domainNode.path("name").asText())
                    .orElseThrow(() -> ApiException.unauthorized("The request you have made requires authentication."));
        }
        throw ApiException.badRequest("Invalid input for field '%s': a 'domain' with 'id' or 'name' is required when using a name.", field);
    }

    private void requireEnabled(User user) {
        Domain domain = stores.domains().get(user.domainId()).orElse(null);
        if (!user.enabled() || domain == null || !domain.enabled()) {
            throw ApiException.unauthorized("The request you have made requires authentication.");
        }
    }

    private Scope scope(JsonNode scopeNode, Authenticated who) {
        if (who.appCred() != null) {
            return new Scope.Project(who.appCred().projectId());
        }
        Snapshot snapshot = directory.current();
        String userId = who.user().id();
        if (scopeNode.isMissingNode() || scopeNode.isNull()) {
            String defaultProject = who.user().defaultProjectId();
            if (defaultProject != null && snapshot.projects().containsKey(defaultProject)
                    && snapshot.projects().get(defaultProject).enabled()
                    && !snapshot.projectRoles(userId, defaultProject).isEmpty()) {
                return new Scope.Project(defaultProject);
            }
            return new Scope.Unscoped();
        }
        if (scopeNode.isTextual() && scopeNode.asText().equals("unscoped")) {
            return new Scope.Unscoped();
        }
        if (scopeNode.has("project")) {
            JsonNode p = scopeNode.path("project");
            Project project;
            if (p.hasNonNull("id")) {
                project = snapshot.projects().get(p.path("id").asText());
            } else if (p.hasNonNull("name")) {
                Domain domain = domain(p.path("domain"), "project");
                project = stores.projects().byName(domain.id(), p.path("name").asText()).orElse(null);
            } else {
                throw ApiException.badRequest("Invalid input for field 'project': 'id' or 'name' is required.");
            }
            if (project == null) {
                throw ApiException.unauthorized("The project you asked to scope to does not exist or you have no access to it.");
            }
            if (!project.enabled()) {
                throw ApiException.unauthorized("Project %s is disabled.", project.id());
            }
            if (snapshot.projectRoles(userId, project.id()).isEmpty()) {
                throw ApiException.unauthorized("User %s has no access to project %s.", userId, project.id());
            }
            return new Scope.Project(project.id());
        }
        if (scopeNode.has("domain")) {
            Domain domain = domain(scopeNode.path("domain"), "domain");
            if (!domain.enabled()) {
                throw ApiException.unauthorized("Domain %s is disabled.", domain.id());
            }
            if (snapshot.domainRoles(userId, domain.id()).isEmpty()) {
                throw ApiException.unauthorized("User %s has no access to domain %s.", userId, domain.id());
            }
            return new Scope.Domain(domain.id());
        }
        if (scopeNode.has("system")) {
            if (!scopeNode.path("system").path("all").asBoolean(false)) {
                throw ApiException.badRequest("Invalid input for field 'system': only {\"all\": true} is supported.");
            }
            if (snapshot.systemRoles(userId).isEmpty()) {
                throw ApiException.unauthorized("User %s has no access to the system.", userId);
            }
            return Scope.System.ALL;
        }
        throw ApiException.badRequest("Invalid input for field 'scope': expected 'project', 'domain' or 'system'.");
    }
}
