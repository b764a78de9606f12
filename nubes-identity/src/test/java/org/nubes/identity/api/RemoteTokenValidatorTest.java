package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.RemoteTokenValidator;
import org.nubes.core.http.ApiException;
import org.nubes.identity.IdentityTestServer;
import org.nubes.identity.service.Bootstrap;

/** A service outside the identity process validates tokens through the identity API. */
class RemoteTokenValidatorTest {
    @Test
    void validatesThroughTheIdentityApiWithTheServiceUser() {
        try (IdentityTestServer server = new IdentityTestServer()) {
            server.admin(); // bootstrapped
            String servicePassword = "svc-secret";
            // give the service user a known password, as an operator would with identity.service_password
            var admin = server.admin();
            String serviceUserId = admin.get("/v3/users?name=" + Bootstrap.SERVICE_USER).json().path("users").path(0).path("id").asText();
            var patch = org.nubes.core.json.Json.object();
            patch.putObject("user").put("password", servicePassword);
            assertThat(admin.patch("/v3/users/" + serviceUserId, patch).status()).isEqualTo(200);

            RemoteTokenValidator validator = new RemoteTokenValidator(server.url(),
                    new RemoteTokenValidator.ServiceUser(Bootstrap.SERVICE_USER, servicePassword, Bootstrap.SERVICE_PROJECT, "default"),
                    Duration.ofSeconds(30));

            String token = admin.token();
            AuthContext caller = validator.validate(token);
            assertThat(caller.user().name()).isEqualTo("admin");
            assertThat(caller.projectId()).isNotNull();
            assertThat(caller.roles()).contains("admin", "member", "reader");
            assertThat(caller.scope()).isInstanceOf(AuthContext.Scope.Project.class);

            assertThatThrownBy(() -> validator.validate("gAAAAAnot-a-token"))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        }
    }
}
