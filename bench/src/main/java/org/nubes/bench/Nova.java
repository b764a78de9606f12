package org.nubes.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** What the compute benchmarks share to talk to the cloud: a token, local URLs, status checks, Nova's timestamps. */
final class Nova {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Nova() {}

    /** A project-scoped token of the admin from clouds.yaml (password method). */
    static String token(HttpClient client, URI identity, IdentityBench.Credentials admin) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identityNode = auth.putObject("identity");
        identityNode.putArray("methods").add("password");
        ObjectNode user = identityNode.putObject("password").putObject("user");
        user.put("name", admin.user()).put("password", admin.password()).putObject("domain").put("name", admin.userDomain());
        ObjectNode project = auth.putObject("scope").putObject("project");
        project.put("name", admin.project()).putObject("domain").put("name", admin.projectDomain());
        HttpRequest post = HttpRequest.newBuilder(URI.create(identity + "/v3/auth/tokens"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> r = client.send(post, HttpResponse.BodyHandlers.ofString());
        expect(r, 201, "issue a token");
        return r.headers().firstValue("X-Subject-Token").orElseThrow();
    }

    /** Nova's launched_at: UTC without a zone, microseconds (2026-11-24T10:25:29.413189); a trailing Z is accepted too. */
    static Instant launchedAt(String text) {
        if (text == null || text.isEmpty() || "null".equals(text)) {
            return null;
        }
        return text.endsWith("Z") ? Instant.parse(text) : LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
    }

    /** Throws unless the answer has this status (the message holds the start of the body). */
    static void expect(HttpResponse<?> r, int status, String what) throws IOException {
        if (r.statusCode() != status) {
            Object body = r.body();
            String text = body instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(body);
            throw new IOException(what + ": expected " + status + ", got " + r.statusCode() + " "
                    + text.substring(0, Math.min(300, text.length())));
        }
    }

    static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** The URL without trailing slashes; refuses anything but 127.0.0.1. */
    static URI local(String url) {
        URI uri = URI.create(url.replaceAll("/+$", ""));
        if (!"127.0.0.1".equals(uri.getHost())) {
            throw new IllegalArgumentException("URLs must be on 127.0.0.1, not " + uri.getHost());
        }
        return uri;
    }
}
