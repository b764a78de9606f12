package org.nubes.identity.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;
import org.nubes.identity.IdentityTestServer;

/** Tokens expire after identity.token_expiration; allow_expired still validates them for a while. */
class TokenLifetimeTest {
    @Test
    void expiredTokensAreRejectedUnlessAllowExpiredIsAsked() throws InterruptedException {
        try (IdentityTestServer server = new IdentityTestServer(Map.of(
                "identity.token_expiration", "1", "identity.allow_expired_window", "3600"))) {
            ApiClient admin = server.admin();
            String subject = server.admin().token();
            assertThat(admin.send("GET", "/v3/auth/tokens", null, "X-Subject-Token", subject).status()).isEqualTo(200);

            Thread.sleep(2_100);

            String fresh = server.admin().token();
            ApiClient checker = admin.as(fresh);
            assertThat(checker.send("GET", "/v3/auth/tokens", null, "X-Subject-Token", subject).status()).isEqualTo(404);
            ApiClient.Response allowed = checker.send("GET", "/v3/auth/tokens?allow_expired=1", null, "X-Subject-Token", subject);
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(allowed.json().path("token").path("expires_at").asText()).endsWith("Z");
            // an expired token does not authenticate a request
            assertThat(admin.as(subject).get("/v3/users").status()).isEqualTo(401);
        }
    }
}
