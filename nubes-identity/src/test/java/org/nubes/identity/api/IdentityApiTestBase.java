package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.uniq;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.nubes.core.testing.ApiClient;
import org.nubes.identity.IdentityTestServer;

/**
 * A fresh identity server for each test class that extends this, started before its first test
 * and closed after its last, with an admin client. The fields are static and so shared by every
 * subclass: that holds while test classes run one after another, as they do here (no parallel
 * execution is configured). A subclass's own @BeforeAll runs after {@link #startServer()}.
 */
abstract class IdentityApiTestBase {
    static IdentityTestServer server;
    /** A project-scoped token of the bootstrap admin. */
    static ApiClient admin;

    @BeforeAll
    static void startServer() {
        server = new IdentityTestServer();
        admin = server.admin();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** The id of an existing role, by name. */
    static String roleId(String name) {
        String id = admin.get("/v3/roles?name=" + name).json().path("roles").path(0).path("id").asText();
        assertThat(id).as("role " + name).isNotEmpty();
        return id;
    }

    /** Creates a domain with a unique name; answers its id. */
    static String newDomain() {
        ApiClient.Response r = admin.post("/v3/domains", "{\"domain\": {\"name\": \"%s\"}}".formatted(uniq("d")));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("domain").path("id").asText();
    }
}
