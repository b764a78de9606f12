package org.nubes.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;

/**
 * Validates tokens through the identity API (GET /v3/auth/tokens), for services that do not run
 * in the identity process. A valid answer is trusted for a short time, as keystonemiddleware does.
 */
public final class RemoteTokenValidator implements TokenValidator {
    /** The service's own credentials, used to get the token that validates others. */
    public record ServiceUser(String userName, String password, String projectName, String domainId) {}

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String identityUrl;
    private final ServiceUser serviceUser;
    private final Cache<String, AuthContext> cache;
    private volatile String serviceToken;

    public RemoteTokenValidator(String identityUrl, ServiceUser serviceUser, Duration trust) {
        this.identityUrl = identityUrl.replaceAll("/+$", "");
        this.serviceUser = serviceUser;
        this.cache = Caffeine.newBuilder().expireAfterWrite(trust).maximumSize(100_000).build();
    }

    @Override
    public AuthContext validate(String token) {
        AuthContext cached = cache.getIfPresent(token);
        if (cached != null && cached.expiresAt().isAfter(Instant.now())) {
            return cached;
        }
        HttpResponse<byte[]> answer = get(token, serviceToken());
        if (answer.statusCode() == 401 && answer.headers().firstValue("X-Subject-Token").isEmpty()) {
            serviceToken = null;
            answer = get(token, serviceToken());
        }
        if (answer.statusCode() == 404 || answer.statusCode() == 401) {
            throw ApiException.unauthorized("The request you have made requires authentication.");
        }
        if (answer.statusCode() != 200) {
            throw new ApiException(ApiException.Kind.UNAVAILABLE,
                    "The identity service answered " + answer.statusCode() + " when validating a token.");
        }
        AuthContext context = parse(token, Json.parse(answer.body()).path("token"));
        cache.put(token, context);
        return context;
    }

    /** Reads Keystone's token body. */
    public static AuthContext parse(String token, JsonNode body) {
        JsonNode user = body.path("user");
        AuthContext.Scope scope = new AuthContext.Scope.Unscoped();
        if (body.has("project")) {
            JsonNode project = body.path("project");
            scope = new AuthContext.Scope.Project(named(project), named(project.path("domain")));
        } else if (body.has("domain")) {
            scope = new AuthContext.Scope.Domain(named(body.path("domain")));
        } else if (body.path("system").path("all").asBoolean(false)) {
            scope = new AuthContext.Scope.System();
        }
        Set<String> roles = new HashSet<>();
        body.path("roles").forEach(r -> roles.add(r.path("name").asText()));
        List<String> auditIds = new ArrayList<>();
        body.path("audit_ids").forEach(a -> auditIds.add(a.asText()));
        JsonNode appCred = body.path("application_credential");
        return new AuthContext(token, named(user), named(user.path("domain")), scope, roles,
                Instant.parse(body.path("expires_at").asText()), auditIds,
                appCred.isMissingNode() ? null : appCred.path("id").asText());
    }

    private static AuthContext.Named named(JsonNode node) {
        return new AuthContext.Named(node.path("id").asText(null), node.path("name").asText(null));
    }

    private HttpResponse<byte[]> get(String subject, String authToken) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(identityUrl + "/v3/auth/tokens?nocatalog"))
                .header("X-Auth-Token", authToken)
                .header("X-Subject-Token", subject)
                .timeout(Duration.ofSeconds(10))
                .GET().build();
        return send(request);
    }

    private String serviceToken() {
        String token = serviceToken;
        if (token != null) {
            return token;
        }
        var auth = Json.object();
        var identity = auth.putObject("auth").putObject("identity");
        identity.putArray("methods").add("password");
        var user = identity.putObject("password").putObject("user");
        user.put("name", serviceUser.userName()).put("password", serviceUser.password());
        user.putObject("domain").put("id", serviceUser.domainId());
        auth.with("auth").putObject("scope").putObject("project")
                .put("name", serviceUser.projectName())
                .putObject("domain").put("id", serviceUser.domainId());
        HttpRequest request = HttpRequest.newBuilder(URI.create(identityUrl + "/v3/auth/tokens?nocatalog"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(auth))).build();
        HttpResponse<byte[]> answer = send(request);
        token = answer.headers().firstValue("X-Subject-Token").orElseThrow(() -> new ApiException(
                ApiException.Kind.UNAVAILABLE, "The service user could not authenticate with the identity service ("
                        + answer.statusCode() + "); check identity.service_password."));
        serviceToken = token;
        return token;
    }

    private HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ApiException(ApiException.Kind.UNAVAILABLE,
                    "The identity service at " + identityUrl + " cannot be reached: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiException.Kind.UNAVAILABLE, "Interrupted while validating a token.", e);
        }
    }
}
