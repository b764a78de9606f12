package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nubes.core.http.CatalogEntry;
import org.nubes.core.testing.ApiClient;
import org.nubes.identity.IdentityTestServer;

/** Endpoint URL templates as Keystone fills them in from the token (Swift's AUTH_$(project_id)s). */
class CatalogTemplateTest extends IdentityApiTestBase {
    @Test
    void aProjectTokenSeesItsOwnUrlAndTheStoredTemplateStays() {
        server.identity().bootstrap(List.of(new CatalogEntry("identity", "keystone", server.url()),
                new CatalogEntry("object-store", "swift", "http://127.0.0.1:8080/v1/AUTH_$(project_id)s")));
        ApiClient.Response issued = server.anonymous().post("/v3/auth/tokens",
                IdentityTestServer.passwordAuth("admin", IdentityTestServer.ADMIN_PASSWORD, "admin"));
        JsonNode token = issued.json().path("token");
        String project = token.path("project").path("id").asText();
        assertThat(urls(token.path("catalog"))).contains("http://127.0.0.1:8080/v1/AUTH_" + project);

        ApiClient scoped = new ApiClient(server.url(), issued.header("X-Subject-Token"));
        assertThat(urls(scoped.get("/v3/auth/catalog").json().path("catalog"))).contains("http://127.0.0.1:8080/v1/AUTH_" + project);
        assertThat(admin.get("/v3/endpoints?interface=public").json().path("endpoints").findValuesAsText("url"))
                .contains("http://127.0.0.1:8080/v1/AUTH_$(project_id)s");

        var domainAuth = IdentityTestServer.passwordAuth("admin", IdentityTestServer.ADMIN_PASSWORD, null);
        domainAuth.with("auth").putObject("scope").putObject("domain").put("id", "default");
        JsonNode domainToken = server.anonymous().post("/v3/auth/tokens", domainAuth).json().path("token");
        assertThat(urls(domainToken.path("catalog"))).noneMatch(url -> url.contains("/v1/AUTH_"));
    }

    private static List<String> urls(JsonNode catalog) {
        return catalog.findValuesAsText("url");
    }
}
