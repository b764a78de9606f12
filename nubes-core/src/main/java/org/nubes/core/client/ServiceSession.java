package org.nubes.core.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;

/**
 * A service's own session with the identity service: a project-scoped token of its service user,
 * renewed before it expires, and the endpoints of the other services from that token's catalog.
 * This is how one service calls another's REST API, as OpenStack services do.
 */
public final class ServiceSession {
    /** Who the service is; resolved lazily because the password may only exist after bootstrap. */
    public record Credentials(String identityUrl, String userName, String password, String projectName, String domainId) {}

    /** Renew this long before expiry, so a token never expires in the middle of a call. */
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

    private final HttpClient http;
    private final Supplier<Credentials> credentials;
    private final String interfaceName;
    private volatile Session session;

    private record Session(String token, Instant expiresAt, JsonNode catalog) {}

    public ServiceSession(HttpClient http, Supplier<Credentials> credentials, String interfaceName) {
        this.http = http;
        this.credentials = credentials;
        this.interfaceName = interfaceName;
    }

    public HttpClient http() {
        return http;
    }

    public String token() {
        return current().token();
    }

    /** The URL of the first endpoint of the service type on the configured interface. */
    public String endpoint(String serviceType) {
        return findEndpoint(serviceType).orElseThrow(() -> new ApiException(ApiException.Kind.UNAVAILABLE,
                "No %s endpoint of service type %s is in the catalog.".formatted(interfaceName, serviceType)));
    }

    /** The endpoint's URL, or empty when the cloud has no such service. */
    public java.util.Optional<String> findEndpoint(String serviceType) {
        for (JsonNode service : current().catalog()) {
            if (!serviceType.equals(service.path("type").asText())) {
                continue;
            }
            for (JsonNode endpoint : service.path("endpoints")) {
                if (interfaceName.equals(endpoint.path("interface").asText())) {
                    return java.util.Optional.of(endpoint.path("url").asText().replaceAll("/+$", ""));
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** Forgets the token, e.g. after a 401 from a service that no longer accepts it. */
    public void invalidate() {
        session = null;
    }

    private Session current() {
        Session now = session;
        if (now == null || Instant.now().isAfter(now.expiresAt().minus(RENEW_BEFORE))) {
            synchronized (this) {
                now = session;
                if (now == null || Instant.now().isAfter(now.expiresAt().minus(RENEW_BEFORE))) {
                    now = authenticate(credentials.get());
                    session = now;
                }
            }
        }
        return now;
    }

    private Session authenticate(Credentials who) {
        var body = Json.object();
        var identity = body.putObject("auth").putObject("identity");
        identity.putArray("methods").add("password");
        var user = identity.putObject("password").putObject("user");
        user.put("name", who.userName()).put("password", who.password()).putObject("domain").put("id", who.domainId());
        body.with("auth").putObject("scope").putObject("project").put("name", who.projectName())
                .putObject("domain").put("id", who.domainId());
        HttpRequest request = HttpRequest.newBuilder(URI.create(who.identityUrl().replaceAll("/+$", "") + "/v3/auth/tokens"))
                .timeout(Remote.CALL_TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build();
        HttpResponse<byte[]> answer = Remote.send(http, request, HttpResponse.BodyHandlers.ofByteArray(), "identity");
        if (answer.statusCode() != 201) {
            throw new ApiException(ApiException.Kind.UNAVAILABLE,
                    "The identity service refused the service user %s (%d); check identity.service_password."
                            .formatted(who.userName(), answer.statusCode()));
        }
        JsonNode token = Json.parse(answer.body()).path("token");
        return new Session(answer.headers().firstValue("X-Subject-Token").orElseThrow(),
                Instant.parse(token.path("expires_at").asText()), token.path("catalog"));
    }
}
