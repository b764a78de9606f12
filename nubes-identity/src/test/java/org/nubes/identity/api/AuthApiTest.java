package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.assertFault;
import static org.nubes.identity.api.KeystoneAssertions.keys;
import static org.nubes.identity.api.KeystoneAssertions.projectScope;
import static org.nubes.identity.api.KeystoneAssertions.texts;
import static org.nubes.identity.api.KeystoneAssertions.uniq;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;
import org.nubes.identity.IdentityTestServer;
import org.nubes.identity.service.Bootstrap;

/** POST/GET/HEAD/DELETE /v3/auth/tokens, the auth discovery routes and token revocation, through HTTP. */
class AuthApiTest extends IdentityApiTestBase {
    private static final String TIME_FORMAT = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z";

    static String adminUserId;
    static String adminProjectId;

    @BeforeAll
    static void start() {
        adminUserId = admin.get("/v3/users?name=admin").json().path("users").path(0).path("id").asText();
        adminProjectId = admin.get("/v3/projects?name=admin").json().path("projects").path(0).path("id").asText();
    }

    // ---------------------------------------------------------------- helpers

    static String auth(String identity, String scope) {
        return "{\"auth\": {\"identity\": " + identity + (scope == null ? "" : ", \"scope\": " + scope) + "}}";
    }

    static String password(String user) {
        return "{\"methods\": [\"password\"], \"password\": {\"user\": " + user + "}}";
    }

    static String byId(String userId, String password) {
        return password("{\"id\": \"%s\", \"password\": \"%s\"}".formatted(userId, password));
    }

    static String byName(String name, String domain, String password) {
        return password("{\"name\": \"%s\", \"domain\": %s, \"password\": \"%s\"}".formatted(name, domain, password));
    }

    static String tokenMethod(String token) {
        return "{\"methods\": [\"token\"], \"token\": {\"id\": \"%s\"}}".formatted(token);
    }

    static ApiClient.Response issue(String body) {
        return server.anonymous().post("/v3/auth/tokens", body);
    }

    static String issueToken(String body) {
        ApiClient.Response r = issue(body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.header("X-Subject-Token");
    }

    static ApiClient.Response validate(ApiClient caller, String subject) {
        return caller.send("GET", "/v3/auth/tokens", null, "X-Subject-Token", subject);
    }

    /** HEAD answers carry no body: only the status and, for 401, the challenge. */
    static void assertHeadStatus(ApiClient.Response r, int status) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.text()).isEmpty();
        if (status == 401) {
            assertThat(r.header("WWW-Authenticate")).startsWith("Keystone uri=");
        }
    }

    static void assertUnauthorized(ApiClient.Response r) {
        assertFault(r, 401, "Unauthorized");
    }

    /** A member of a new project: {projectId, userId, password, projectName, userName}. */
    static List<String> member(String role) {
        String project = uniq("p");
        String user = uniq("u");
        String pw = uniq("pw");
        List<String> ids = server.projectWithUser(project, user, pw, role);
        return List.of(ids.get(0), ids.get(1), pw, project, user);
    }

    /** Waits until the clock is early in a second, so that the next few calls share that second. */
    static void awaitStartOfSecond() throws InterruptedException {
        while (Instant.now().getNano() > 200_000_000) {
            Thread.sleep(10);
        }
    }

    // ---------------------------------------------------------------- POST /v3/auth/tokens

    @Nested
    class Issue {
        @Test
        void passwordByUserIdScopedToProjectIdHasKeystoneBody() {
            List<String> m = member("member");
            Instant before = Instant.now();
            ApiClient.Response r = issue(auth(byId(m.get(1), m.get(2)), projectScope(m.get(0))));

            assertThat(r.status()).as(r.text()).isEqualTo(201);
            assertThat(r.header("X-Subject-Token")).isNotBlank();
            assertThat(r.header("x-openstack-request-id")).startsWith("req-");
            assertThat(r.header("Content-Type")).startsWith("application/json");
            assertThat(keys(r.json())).containsExactly("token");
            JsonNode token = r.json().path("token");
            assertThat(keys(token)).containsExactlyInAnyOrder("methods", "user", "audit_ids", "expires_at",
                    "issued_at", "project", "is_domain", "roles", "catalog");
            assertThat(texts(token.path("methods"), null)).containsExactly("password");

            JsonNode user = token.path("user");
            assertThat(keys(user)).containsExactlyInAnyOrder("domain", "id", "name", "password_expires_at");
            assertThat(user.path("id").asText()).isEqualTo(m.get(1));
            assertThat(user.path("name").asText()).isEqualTo(m.get(4));
            assertThat(user.path("password_expires_at").isNull()).isTrue();
            assertThat(keys(user.path("domain"))).containsExactlyInAnyOrder("id", "name");
            assertThat(user.path("domain").path("id").asText()).isEqualTo("default");
            assertThat(user.path("domain").path("name").asText()).isEqualTo("Default");

            JsonNode project = token.path("project");
            assertThat(keys(project)).containsExactlyInAnyOrder("domain", "id", "name");
            assertThat(project.path("id").asText()).isEqualTo(m.get(0));
            assertThat(project.path("name").asText()).isEqualTo(m.get(3));
            assertThat(project.path("domain").path("id").asText()).isEqualTo("default");
            assertThat(project.path("domain").path("name").asText()).isEqualTo("Default");
            assertThat(token.path("is_domain").isBoolean()).isTrue();
            assertThat(token.path("is_domain").asBoolean()).isFalse();

            // member implies reader: the token carries both, each as {id, name}
            assertThat(texts(token.path("roles"), "name")).containsExactlyInAnyOrder("member", "reader");
            token.path("roles").forEach(role -> assertThat(keys(role)).containsExactlyInAnyOrder("id", "name"));
            assertThat(texts(token.path("roles"), "id")).contains(roleId("member"), roleId("reader"));

            assertThat(token.path("audit_ids")).hasSize(1);
            assertThat(token.path("audit_ids").path(0).asText()).matches("[A-Za-z0-9_-]{22}");

            assertThat(token.path("expires_at").asText()).matches(TIME_FORMAT);
            assertThat(token.path("issued_at").asText()).matches(TIME_FORMAT);
            Instant expires = Instant.parse(token.path("expires_at").asText());
            Instant issued = Instant.parse(token.path("issued_at").asText());
            assertThat(expires).isBetween(before.plus(Duration.ofMinutes(59)), Instant.now().plus(Duration.ofMinutes(61)));
            assertThat(issued).isBetween(before.minusSeconds(2), Instant.now().plusSeconds(2));

            JsonNode catalog = token.path("catalog");
            assertThat(catalog.isArray()).isTrue();
            JsonNode identity = null;
            for (JsonNode service : catalog) {
                assertThat(keys(service)).containsExactlyInAnyOrder("endpoints", "id", "type", "name");
                if (service.path("type").asText().equals("identity")) {
                    identity = service;
                }
            }
            assertThat(identity).as("identity service in %s", catalog).isNotNull();
            assertThat(texts(identity.path("endpoints"), "interface")).containsExactlyInAnyOrder("public", "internal", "admin");
            for (JsonNode endpoint : identity.path("endpoints")) {
                assertThat(keys(endpoint)).containsExactlyInAnyOrder("id", "interface", "region_id", "url", "region");
                assertThat(endpoint.path("url").asText()).isEqualTo(server.url() + "/v3");
                assertThat(endpoint.path("region_id").asText()).isEqualTo("RegionOne");
            }
        }

        @Test
        void nocatalogOmitsTheCatalog() {
            List<String> m = member("member");
            ApiClient.Response r = server.anonymous().post("/v3/auth/tokens?nocatalog",
                    auth(byId(m.get(1), m.get(2)), projectScope(m.get(0))));
            assertThat(r.status()).isEqualTo(201);
            assertThat(keys(r.json().path("token"))).doesNotContain("catalog").contains("roles", "project");

            String token = r.header("X-Subject-Token");
            assertThat(keys(validate(admin, token).json().path("token"))).contains("catalog");
            ApiClient.Response withoutCatalog = admin.send("GET", "/v3/auth/tokens?nocatalog", null, "X-Subject-Token", token);
            assertThat(withoutCatalog.status()).isEqualTo(200);
            assertThat(keys(withoutCatalog.json().path("token"))).doesNotContain("catalog");
        }

        @Test
        void passwordByUserNameWithDomainIdOrDomainName() {
            List<String> m = member("member");
            for (String domain : List.of("{\"id\": \"default\"}", "{\"name\": \"Default\"}")) {
                ApiClient.Response r = issue(auth(byName(m.get(4), domain, m.get(2)), projectScope(m.get(0))));
                assertThat(r.status()).as(domain + ": " + r.text()).isEqualTo(201);
                assertThat(r.json().path("token").path("user").path("id").asText()).isEqualTo(m.get(1));
            }
        }

        @Test
        void projectScopeByNameWithDomainIdOrDomainName() {
            List<String> m = member("member");
            for (String domain : List.of("{\"id\": \"default\"}", "{\"name\": \"Default\"}")) {
                String scope = "{\"project\": {\"name\": \"%s\", \"domain\": %s}}".formatted(m.get(3), domain);
                ApiClient.Response r = issue(auth(byId(m.get(1), m.get(2)), scope));
                assertThat(r.status()).as(domain + ": " + r.text()).isEqualTo(201);
                assertThat(r.json().path("token").path("project").path("id").asText()).isEqualTo(m.get(0));
            }
            // a project name without its domain is ambiguous
            ApiClient.Response r = issue(auth(byId(m.get(1), m.get(2)), "{\"project\": {\"name\": \"%s\"}}".formatted(m.get(3))));
            assertFault(r, 400);
        }

        @Test
        void domainScopeByIdAndByName() {
            for (String domain : List.of("{\"id\": \"default\"}", "{\"name\": \"Default\"}")) {
                ApiClient.Response r = issue(auth(byName("admin", "{\"id\": \"default\"}", IdentityTestServer.ADMIN_PASSWORD),
                        "{\"domain\": " + domain + "}"));
                assertThat(r.status()).as(r.text()).isEqualTo(201);
                JsonNode token = r.json().path("token");
                assertThat(keys(token)).containsExactlyInAnyOrder("methods", "user", "audit_ids", "expires_at",
                        "issued_at", "domain", "roles", "catalog");
                assertThat(keys(token.path("domain"))).containsExactlyInAnyOrder("id", "name");
                assertThat(token.path("domain").path("id").asText()).isEqualTo("default");
                assertThat(token.path("domain").path("name").asText()).isEqualTo("Default");
                assertThat(texts(token.path("roles"), "name")).contains("admin", "member", "reader");
            }
        }

        @Test
        void domainScopeWithoutADomainRoleIs401() {
            List<String> m = member("member");
            assertUnauthorized(issue(auth(byId(m.get(1), m.get(2)), "{\"domain\": {\"id\": \"default\"}}")));
            assertUnauthorized(issue(auth(byId(m.get(1), m.get(2)), "{\"domain\": {\"id\": \"no-such-domain\"}}")));
        }

        @Test
        void systemScope() {
            ApiClient.Response r = issue(auth(byId(adminUserId, IdentityTestServer.ADMIN_PASSWORD), "{\"system\": {\"all\": true}}"));
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            JsonNode token = r.json().path("token");
            assertThat(keys(token)).containsExactlyInAnyOrder("methods", "user", "audit_ids", "expires_at",
                    "issued_at", "system", "roles", "catalog");
            assertThat(token.path("system").path("all").asBoolean()).isTrue();
            assertThat(keys(token.path("system"))).containsExactly("all");
            assertThat(texts(token.path("roles"), "name")).contains("admin", "reader");

            // a system-scoped admin token works on admin routes
            assertThat(admin.as(r.header("X-Subject-Token")).get("/v3/users").status()).isEqualTo(200);
        }

        @Test
        void systemScopeWithoutASystemRoleIs401() {
            List<String> m = member("member");
            assertUnauthorized(issue(auth(byId(m.get(1), m.get(2)), "{\"system\": {\"all\": true}}")));
        }

        @Test
        void explicitlyUnscoped() {
            // admin has a default project, "unscoped" wins over it
            ApiClient.Response r = issue(auth(byId(adminUserId, IdentityTestServer.ADMIN_PASSWORD), "\"unscoped\""));
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            JsonNode token = r.json().path("token");
            assertThat(keys(token)).containsExactlyInAnyOrder("methods", "user", "audit_ids", "expires_at", "issued_at");
            assertThat(token.path("user").path("id").asText()).isEqualTo(adminUserId);
        }

        @Test
        void noScopeUsesTheDefaultProject() {
            ApiClient.Response r = issue(auth(byId(adminUserId, IdentityTestServer.ADMIN_PASSWORD), null));
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            assertThat(r.json().path("token").path("project").path("id").asText()).isEqualTo(adminProjectId);
            assertThat(r.json().path("token").path("project").path("name").asText()).isEqualTo(Bootstrap.ADMIN_PROJECT);

            // a user whose default project is one they have a role on
            List<String> m = member("member");
            assertThat(admin.patch("/v3/users/" + m.get(1), "{\"user\": {\"default_project_id\": \"%s\"}}".formatted(m.get(0))).status())
                    .isEqualTo(200);
            JsonNode scoped = issue(auth(byId(m.get(1), m.get(2)), null)).json().path("token");
            assertThat(scoped.path("project").path("id").asText()).isEqualTo(m.get(0));
        }

        @Test
        void noScopeAndNoUsableDefaultProjectIsUnscoped() {
            List<String> m = member("member");
            JsonNode token = issue(auth(byId(m.get(1), m.get(2)), null)).json().path("token");
            assertThat(keys(token)).doesNotContain("project", "roles", "catalog");

            // a default project the user has no role on is ignored, not an error
            String other = admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\"}}".formatted(uniq("p"))).json()
                    .path("project").path("id").asText();
            admin.patch("/v3/users/" + m.get(1), "{\"user\": {\"default_project_id\": \"%s\"}}".formatted(other));
            ApiClient.Response r = issue(auth(byId(m.get(1), m.get(2)), null));
            assertThat(r.status()).isEqualTo(201);
            assertThat(keys(r.json().path("token"))).doesNotContain("project");
        }

        @Test
        void rescopingAnUnscopedTokenKeepsExpiryAndChainsAuditIds() throws InterruptedException {
            List<String> m = member("member");
            ApiClient.Response unscoped = issue(auth(byId(m.get(1), m.get(2)), "\"unscoped\""));
            JsonNode parent = unscoped.json().path("token");
            String parentAudit = parent.path("audit_ids").path(0).asText();
            Thread.sleep(1100); // a fresh token would now expire later than the parent

            ApiClient.Response rescoped = issue(auth(tokenMethod(unscoped.header("X-Subject-Token")), projectScope(m.get(0))));
            assertThat(rescoped.status()).as(rescoped.text()).isEqualTo(201);
            JsonNode token = rescoped.json().path("token");
            assertThat(token.path("project").path("id").asText()).isEqualTo(m.get(0));
            assertThat(token.path("expires_at").asText()).isEqualTo(parent.path("expires_at").asText());
            assertThat(texts(token.path("methods"), null)).containsExactlyInAnyOrder("token", "password");
            assertThat(token.path("audit_ids")).hasSize(2);
            assertThat(token.path("audit_ids").path(0).asText()).isNotEqualTo(parentAudit);
            assertThat(token.path("audit_ids").path(1).asText()).isEqualTo(parentAudit);

            // rescoping again keeps the chain's first audit id, not the intermediate one
            ApiClient.Response again = issue(auth(tokenMethod(rescoped.header("X-Subject-Token")), projectScope(m.get(0))));
            assertThat(again.status()).isEqualTo(201);
            assertThat(again.json().path("token").path("audit_ids").path(1).asText()).isEqualTo(parentAudit);
            assertThat(again.json().path("token").path("expires_at").asText()).isEqualTo(parent.path("expires_at").asText());
        }

        @Test
        void tokenMethodWithoutScopeFollowsTheDefaultProjectRules() {
            // Keystone applies the default project to any request without a scope, whatever the method:
            // a token scoped to project A, used without a scope, gives a token for the default project B
            List<String> m = member("member");
            String b = admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\"}}".formatted(uniq("p"))).json()
                    .path("project").path("id").asText();
            admin.put("/v3/projects/" + b + "/users/" + m.get(1) + "/roles/" + roleId("reader"), null);
            admin.patch("/v3/users/" + m.get(1), "{\"user\": {\"default_project_id\": \"%s\"}}".formatted(b));
            String scopedToA = issueToken(auth(byId(m.get(1), m.get(2)), projectScope(m.get(0))));
            ApiClient.Response r = issue(auth(tokenMethod(scopedToA), null));
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            assertThat(r.json().path("token").path("project").path("id").asText()).isEqualTo(b);

            String system = issueToken(auth(byId(adminUserId, IdentityTestServer.ADMIN_PASSWORD), "{\"system\": {\"all\": true}}"));
            ApiClient.Response unscoped = issue(auth(tokenMethod(system), "\"unscoped\""));
            assertThat(unscoped.status()).isEqualTo(201);
            assertThat(keys(unscoped.json().path("token"))).doesNotContain("system", "project");
        }

        @Test
        void aSystemTokenCannotBeRescopedToAProject() {
            String system = issueToken(auth(byId(adminUserId, IdentityTestServer.ADMIN_PASSWORD), "{\"system\": {\"all\": true}}"));
            assertFault(issue(auth(tokenMethod(system), projectScope(adminProjectId))), 403);
        }

        @Test
        void rescopingWithAnInvalidTokenIs401() {
            assertUnauthorized(issue(auth(tokenMethod("not-a-token"), projectScope(adminProjectId))));
        }

        @Test
        void rescopingToAProjectWithoutARoleIs401() {
            List<String> m = member("member");
            String unscoped = issueToken(auth(byId(m.get(1), m.get(2)), "\"unscoped\""));
            assertUnauthorized(issue(auth(tokenMethod(unscoped), projectScope(adminProjectId))));
        }

        @Test
        void wrongPasswordOrUnknownUserIs401WithWwwAuthenticate() {
            List<String> m = member("member");
            assertUnauthorized(issue(auth(byId(m.get(1), "wrong"), null)));
            assertUnauthorized(issue(auth(byId("no-such-user", "whatever"), null)));
            assertUnauthorized(issue(auth(byName(m.get(4), "{\"id\": \"default\"}", "wrong"), null)));
            assertUnauthorized(issue(auth(byName("no-such-user", "{\"id\": \"default\"}", "x"), null)));
            assertUnauthorized(issue(auth(byName(m.get(4), "{\"name\": \"No such domain\"}", m.get(2)), null)));
            ApiClient.Response r = issue(auth(byId(m.get(1), "wrong"), null));
            assertThat(r.header("X-Subject-Token")).isNull();
        }

        @Test
        void userWithoutRoleOnTheProjectIs401() {
            List<String> m = member("member");
            assertUnauthorized(issue(auth(byId(m.get(1), m.get(2)), projectScope(adminProjectId))));
            assertUnauthorized(issue(auth(byId(m.get(1), m.get(2)), projectScope("no-such-project"))));
        }

        @Test
        void disabledUserIs401() {
            List<String> m = member("member");
            assertThat(admin.patch("/v3/users/" + m.get(1), "{\"user\": {\"enabled\": false}}").status()).isEqualTo(200);
            assertUnauthorized(issue(auth(byId(m.get(1), m.get(2)), projectScope(m.get(0)))));
            assertUnauthorized(issue(auth(byId(m.get(1), m.get(2)), "\"unscoped\"")));
        }

        @Test
        void disabledProjectIs401() {
            List<String> m = member("member");
            assertThat(admin.patch("/v3/projects/" + m.get(0), "{\"project\": {\"enabled\": false}}").status()).isEqualTo(200);
            assertUnauthorized(issue(auth(byId(m.get(1), m.get(2)), projectScope(m.get(0)))));
            // the user itself can still authenticate unscoped
            assertThat(issue(auth(byId(m.get(1), m.get(2)), "\"unscoped\"")).status()).isEqualTo(201);
        }

        @Test
        void malformedBodiesAre400() {
            List<String> m = member("member");
            List<String> bodies = List.of(
                    "{}",
                    "{\"auth\": []}",
                    "{\"auth\": {}}",
                    "{\"auth\": {\"identity\": {}}}",
                    "{\"auth\": {\"identity\": {\"methods\": \"password\"}}}",
                    "{\"auth\": {\"identity\": {\"methods\": []}}}",
                    "{\"auth\": {\"identity\": {\"methods\": [\"password\"]}}}",
                    "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {}}}}",
                    auth(password("{\"id\": \"%s\"}".formatted(m.get(1))), null),
                    auth(password("{\"id\": \"%s\", \"password\": 42}".formatted(m.get(1))), null),
                    auth(password("{\"name\": \"%s\", \"password\": \"%s\"}".formatted(m.get(4), m.get(2))), null),
                    auth(password("{\"password\": \"%s\"}".formatted(m.get(2))), null),
                    auth(byId(m.get(1), m.get(2)), "{\"project\": {}}"),
                    auth(byId(m.get(1), m.get(2)), "{\"nothing\": {}}"),
                    "{\"auth\": {\"identity\": {\"methods\": [\"token\"], \"token\": {}}}}");
            for (String body : bodies) {
                ApiClient.Response r = issue(body);
                assertFault(r, 400);
                assertThat(r.json().path("error").path("message").asText()).as(body).contains("Invalid input for field");
                assertThat(r.json().path("error").path("title").asText()).isEqualTo("Bad Request");
            }
        }

        @Test
        void bodiesThatAreNotJsonAre400() {
            assertFault(issue("{\"auth\": "), 400);
            assertFault(issue("not json"), 400);
            assertFault(issue("[]"), 400);
            assertFault(server.anonymous().post("/v3/auth/tokens", null), 400);
        }

        @Test
        void unsupportedMethodIs401() {
            assertUnauthorized(issue("{\"auth\": {\"identity\": {\"methods\": [\"kerberos\"], \"kerberos\": {}}}}"));
        }
    }

    // ---------------------------------------------------------------- GET/HEAD/DELETE /v3/auth/tokens

    @Nested
    class ValidateCheckRevoke {
        @Test
        void validateAnswersTheTokenBodyAndSubjectHeader() {
            List<String> m = member("member");
            ApiClient.Response issued = issue(auth(byId(m.get(1), m.get(2)), projectScope(m.get(0))));
            String token = issued.header("X-Subject-Token");

            ApiClient.Response r = validate(admin, token);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Subject-Token")).isEqualTo(token);
            JsonNode body = r.json().path("token");
            JsonNode original = issued.json().path("token");
            assertThat(keys(body)).isEqualTo(keys(original));
            for (String field : List.of("user", "project", "audit_ids", "expires_at", "issued_at", "methods", "roles")) {
                assertThat(body.path(field)).as(field).isEqualTo(original.path(field));
            }
        }

        @Test
        void checkAnswers200WithoutBody() {
            List<String> m = member("member");
            String token = server.token(m.get(4), m.get(2), m.get(3));
            ApiClient.Response r = admin.send("HEAD", "/v3/auth/tokens", null, "X-Subject-Token", token);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEmpty();
            assertThat(admin.send("HEAD", "/v3/auth/tokens", null, "X-Subject-Token", "garbage").status()).isEqualTo(404);
        }

        @Test
        void garbageOrTamperedSubjectTokenIs404() {
            String token = server.token("admin", IdentityTestServer.ADMIN_PASSWORD, "admin");
            char[] chars = token.toCharArray();
            int middle = chars.length / 2;
            chars[middle] = chars[middle] == 'A' ? 'B' : 'A';
            for (String subject : List.of("garbage", new String(chars), token.substring(0, token.length() - 4), "")) {
                ApiClient.Response r = validate(admin, subject);
                if (subject.isEmpty()) {
                    assertThat(r.status()).isIn(400, 404);
                } else {
                    assertFault(r, 404);
                }
            }
        }

        @Test
        void withoutAuthTokenIs401() {
            String token = server.token("admin", IdentityTestServer.ADMIN_PASSWORD, "admin");
            assertUnauthorized(validate(server.anonymous(), token));
            assertHeadStatus(server.anonymous().send("HEAD", "/v3/auth/tokens", null, "X-Subject-Token", token), 401);
            assertUnauthorized(server.anonymous().send("DELETE", "/v3/auth/tokens", null, "X-Subject-Token", token));
            assertUnauthorized(validate(admin.as("garbage"), token));
        }

        @Test
        void aUserMayValidateTheirOwnTokenButNotAnotherUsersToken() {
            List<String> m = member("member");
            String own = server.token(m.get(4), m.get(2), m.get(3));
            ApiClient self = admin.as(own);
            assertThat(validate(self, own).status()).isEqualTo(200);
            String other = server.token(m.get(4), m.get(2), null);
            assertThat(validate(self, other).status()).as("another token of the same user").isEqualTo(200);
            String admins = server.token("admin", IdentityTestServer.ADMIN_PASSWORD, "admin");
            assertFault(validate(self, admins), 403);
            assertHeadStatus(self.send("HEAD", "/v3/auth/tokens", null, "X-Subject-Token", admins), 403);
            assertFault(self.send("DELETE", "/v3/auth/tokens", null, "X-Subject-Token", admins), 403);
            assertThat(validate(admin, admins).status()).as("the denied revoke changed nothing").isEqualTo(200);
        }

        @Test
        void revokeMakesTheTokenInvalidEverywhere() {
            List<String> m = member("member");
            String token = server.token(m.get(4), m.get(2), m.get(3));
            String sibling = server.token(m.get(4), m.get(2), m.get(3));
            ApiClient user = admin.as(token);
            assertThat(user.get("/v3/users/" + m.get(1)).status()).isEqualTo(200);

            ApiClient.Response r = admin.send("DELETE", "/v3/auth/tokens", null, "X-Subject-Token", token);
            assertThat(r.status()).isEqualTo(204);
            assertThat(r.text()).isEmpty();

            assertFault(validate(admin, token), 404);
            assertUnauthorized(user.get("/v3/users/" + m.get(1)));
            assertUnauthorized(issue(auth(tokenMethod(token), projectScope(m.get(0)))));
            assertFault(admin.send("DELETE", "/v3/auth/tokens", null, "X-Subject-Token", token), 404);
            // other tokens of the same user are untouched
            assertThat(validate(admin, sibling).status()).isEqualTo(200);
        }

        @Test
        void aUserMayRevokeTheirOwnToken() {
            List<String> m = member("member");
            String token = server.token(m.get(4), m.get(2), m.get(3));
            assertThat(admin.as(token).send("DELETE", "/v3/auth/tokens", null, "X-Subject-Token", token).status()).isEqualTo(204);
            assertFault(validate(admin, token), 404);
        }

        @Test
        void revokingARescopedTokensParentRevokesTheChain() {
            List<String> m = member("member");
            String unscoped = issueToken(auth(byId(m.get(1), m.get(2)), "\"unscoped\""));
            String scoped = issueToken(auth(tokenMethod(unscoped), projectScope(m.get(0))));
            assertThat(admin.send("DELETE", "/v3/auth/tokens", null, "X-Subject-Token", unscoped).status()).isEqualTo(204);
            assertFault(validate(admin, scoped), 404);
        }
    }

    // ---------------------------------------------------------------- discovery

    @Nested
    class Discovery {
        @Test
        void catalogNeedsAScopedToken() {
            ApiClient.Response r = admin.get("/v3/auth/catalog");
            assertThat(r.status()).isEqualTo(200);
            assertThat(keys(r.json())).containsExactlyInAnyOrder("catalog", "links");
            assertThat(texts(r.json().path("catalog"), "type")).contains("identity");
            assertThat(r.json().path("links").path("self").asText()).endsWith("/v3/auth/catalog");

            String unscoped = issueToken(auth(byId(adminUserId, IdentityTestServer.ADMIN_PASSWORD), "\"unscoped\""));
            assertFault(admin.as(unscoped).get("/v3/auth/catalog"), 403);
            assertUnauthorized(server.anonymous().get("/v3/auth/catalog"));
        }

        @Test
        void projectsListsWhatTheUserHasARoleOn() {
            List<String> m = member("member");
            String unscoped = issueToken(auth(byId(m.get(1), m.get(2)), "\"unscoped\""));
            ApiClient.Response r = admin.as(unscoped).get("/v3/auth/projects");
            assertThat(r.status()).isEqualTo(200);
            assertThat(keys(r.json())).containsExactlyInAnyOrder("projects", "links");
            assertThat(texts(r.json().path("projects"), "id")).containsExactly(m.get(0));
            JsonNode project = r.json().path("projects").path(0);
            assertThat(project.path("name").asText()).isEqualTo(m.get(3));
            assertThat(project.path("domain_id").asText()).isEqualTo("default");
            assertThat(project.path("enabled").asBoolean()).isTrue();
            assertThat(project.path("links").path("self").asText()).endsWith("/v3/projects/" + m.get(0));

            assertThat(texts(admin.get("/v3/auth/projects").json().path("projects"), "name")).contains("admin").doesNotContain(m.get(3));
            assertUnauthorized(server.anonymous().get("/v3/auth/projects"));
        }

        @Test
        void domainsListsDomainsWithARole() {
            assertThat(texts(admin.get("/v3/auth/domains").json().path("domains"), "id")).containsExactly("default");
            List<String> m = member("member");
            ApiClient.Response r = admin.as(server.token(m.get(4), m.get(2), m.get(3))).get("/v3/auth/domains");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("domains")).isEmpty();
            assertThat(r.json().path("links").path("self").asText()).endsWith("/v3/auth/domains");
        }

        @Test
        void systemListsTheSystemForUsersWithASystemRole() {
            ApiClient.Response r = admin.get("/v3/auth/system");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("system")).hasSize(1);
            assertThat(r.json().path("system").path(0).path("all").asBoolean()).isTrue();
            assertThat(r.json().path("links").path("self").asText()).endsWith("/v3/auth/system");
            List<String> m = member("member");
            assertThat(admin.as(server.token(m.get(4), m.get(2), m.get(3))).get("/v3/auth/system").json().path("system")).isEmpty();
        }
    }

    // ---------------------------------------------------------------- revocation

    @Nested
    class Revocation {
        @Test
        void changingThePasswordRevokesOldTokensButNotOneIssuedRightAfter() throws InterruptedException {
            List<String> m = member("member");
            String userId = m.get(1);
            String newPassword = uniq("new");
            awaitStartOfSecond();
            String old = server.token(m.get(4), m.get(2), m.get(3));
            ApiClient.Response changed = admin.as(old).post("/v3/users/" + userId + "/password",
                    "{\"user\": {\"original_password\": \"%s\", \"password\": \"%s\"}}".formatted(m.get(2), newPassword));
            assertThat(changed.status()).as(changed.text()).isEqualTo(204);
            // issued in the same second as the revocation event
            String fresh = server.token(m.get(4), newPassword, m.get(3));
            String freshUnscoped = issueToken(auth(byId(userId, newPassword), "\"unscoped\""));

            assertUnauthorized(admin.as(old).get("/v3/users/" + userId));
            assertFault(validate(admin, old), 404);
            assertThat(admin.as(fresh).get("/v3/users/" + userId).status()).isEqualTo(200);
            assertThat(validate(admin, fresh).status()).isEqualTo(200);
            assertThat(validate(admin, freshUnscoped).status()).isEqualTo(200);
            assertUnauthorized(issue(auth(byId(userId, m.get(2)), null)));
        }

        @Test
        void changingThePasswordWithTheWrongOriginalIs401AndChangesNothing() {
            List<String> m = member("member");
            String token = server.token(m.get(4), m.get(2), m.get(3));
            ApiClient.Response r = admin.as(token).post("/v3/users/" + m.get(1) + "/password",
                    "{\"user\": {\"original_password\": \"wrong\", \"password\": \"whatever-new\"}}");
            assertUnauthorized(r);
            assertThat(validate(admin, token).status()).isEqualTo(200);
            assertThat(issue(auth(byId(m.get(1), m.get(2)), null)).status()).isEqualTo(201);
            assertUnauthorized(issue(auth(byId(m.get(1), "whatever-new"), null)));
        }

        @Test
        void settingThePasswordAsAdminRevokesTheUsersTokens() {
            List<String> m = member("member");
            String token = server.token(m.get(4), m.get(2), m.get(3));
            assertThat(admin.patch("/v3/users/" + m.get(1), "{\"user\": {\"password\": \"reset-by-admin\"}}").status()).isEqualTo(200);
            assertUnauthorized(admin.as(token).get("/v3/users/" + m.get(1)));
            assertThat(issue(auth(byId(m.get(1), "reset-by-admin"), projectScope(m.get(0)))).status()).isEqualTo(201);
        }

        @Test
        void disablingTheUserRevokesItsTokensForGood() {
            List<String> m = member("member");
            String token = server.token(m.get(4), m.get(2), m.get(3));
            String unscoped = server.token(m.get(4), m.get(2), null);
            assertThat(admin.patch("/v3/users/" + m.get(1), "{\"user\": {\"enabled\": false}}").status()).isEqualTo(200);
            assertUnauthorized(admin.as(token).get("/v3/users/" + m.get(1)));
            assertFault(validate(admin, token), 404);
            assertFault(validate(admin, unscoped), 404);

            assertThat(admin.patch("/v3/users/" + m.get(1), "{\"user\": {\"enabled\": true}}").status()).isEqualTo(200);
            assertFault(validate(admin, token), 404);
            assertThat(issue(auth(byId(m.get(1), m.get(2)), projectScope(m.get(0)))).status()).isEqualTo(201);
        }

        @Test
        void deletingTheProjectRevokesTokensScopedToIt() {
            List<String> m = member("member");
            String token = server.token(m.get(4), m.get(2), m.get(3));
            String unscoped = server.token(m.get(4), m.get(2), null);
            assertThat(admin.delete("/v3/projects/" + m.get(0)).status()).isEqualTo(204);
            assertUnauthorized(admin.as(token).get("/v3/users/" + m.get(1)));
            assertFault(validate(admin, token), 404);
            assertThat(validate(admin, unscoped).status()).as("tokens not scoped to it live on").isEqualTo(200);
        }

        @Test
        void disablingTheProjectRevokesTokensScopedToIt() {
            List<String> m = member("member");
            String token = server.token(m.get(4), m.get(2), m.get(3));
            assertThat(admin.patch("/v3/projects/" + m.get(0), "{\"project\": {\"enabled\": false}}").status()).isEqualTo(200);
            assertUnauthorized(admin.as(token).get("/v3/users/" + m.get(1)));
        }

        @Test
        void removingTheOnlyRoleRevokesTheProjectToken() {
            List<String> m = member("member");
            String token = server.token(m.get(4), m.get(2), m.get(3));
            String unscoped = server.token(m.get(4), m.get(2), null);
            ApiClient.Response r = admin.delete("/v3/projects/" + m.get(0) + "/users/" + m.get(1) + "/roles/" + roleId("member"));
            assertThat(r.status()).isEqualTo(204);
            assertUnauthorized(admin.as(token).get("/v3/users/" + m.get(1)));
            assertFault(validate(admin, token), 404);
            assertThat(validate(admin, unscoped).status()).isEqualTo(200);
            assertUnauthorized(issue(auth(byId(m.get(1), m.get(2)), projectScope(m.get(0)))));
        }

        @Test
        void deletingTheUserRevokesItsTokens() {
            List<String> m = member("member");
            String token = server.token(m.get(4), m.get(2), m.get(3));
            assertThat(admin.delete("/v3/users/" + m.get(1)).status()).isEqualTo(204);
            assertFault(validate(admin, token), 404);
        }
    }
}
