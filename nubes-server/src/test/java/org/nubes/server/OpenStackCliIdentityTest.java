package org.nubes.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.config.Config;

/**
 * The identity service as a real client sees it: python-openstackclient against a cloud started
 * the way `nubes up` starts it. Outside CI the test is skipped when the CLI is not installed.
 */
class OpenStackCliIdentityTest {
    private static Path dataDir;
    private static Cloud cloud;
    private static OpenStackCli admin;

    @BeforeAll
    static void start() throws IOException {
        boolean installed = OpenStackCli.installed();
        if (System.getenv("CI") != null) {
            assertThat(installed).as("the openstack CLI (python3-openstackclient) must be installed in CI").isTrue();
        }
        assumeTrue(installed, "openstack CLI not installed");
        dataDir = Files.createTempDirectory("nubes-cli");
        Config config = Config.defaults().with("data_dir", dataDir.toString()).with("identity.port", "0").with("image.port", "0");
        cloud = Launcher.up(config).cloud();
        admin = new OpenStackCli(dataDir.resolve("clouds.yaml"), "nubes");
    }

    @AfterAll
    static void stop() throws IOException {
        if (cloud != null) {
            cloud.close();
        }
        if (dataDir != null) {
            try (var files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void adminIssuesATokenAndSeesTheCatalog() {
        JsonNode token = admin.json("token", "issue");
        assertThat(token.path("id").asText()).startsWith("gAAAAA");
        assertThat(token.path("project_id").asText()).hasSize(32);

        JsonNode catalog = admin.json("catalog", "list");
        assertThat(catalog.findValuesAsText("Type")).contains("identity");
        assertThat(catalog.toString()).contains(cloud.identityUrl() + "/v3");
    }

    @Test
    void projectsUsersGroupsRolesAndEffectiveAssignments() {
        admin.json("project", "create", "cli-proj", "--description", "from the CLI test");
        admin.json("user", "create", "--password", "pw-one", "--project", "cli-proj", "cli-user");
        admin.json("group", "create", "cli-group");
        admin.json("role", "create", "cli-role");
        admin.ok("role", "add", "--user", "cli-user", "--project", "cli-proj", "member");
        admin.ok("group", "add", "user", "cli-group", "cli-user");
        admin.ok("role", "add", "--group", "cli-group", "--project", "cli-proj", "cli-role");

        JsonNode rows = admin.json("role", "assignment", "list", "--names", "--effective", "--user", "cli-user");
        List<String> roles = new ArrayList<>();
        rows.forEach(r -> {
            assertThat(r.path("User").asText()).isEqualTo("cli-user@Default");
            assertThat(r.path("Project").asText()).isEqualTo("cli-proj@Default");
            roles.add(r.path("Role").asText());
        });
        // member directly, reader implied by member, cli-role through the group
        assertThat(roles).contains("member", "reader", "cli-role");

        assertThat(admin.json("project", "list").findValuesAsText("Name")).contains("cli-proj", "admin", "service");
        assertThat(admin.json("group", "list").findValuesAsText("Name")).contains("cli-group");
    }

    @Test
    void applicationCredentialAuthenticates() throws IOException {
        admin.json("project", "create", "app-proj");
        admin.json("user", "create", "--password", "app-pw", "--project", "app-proj", "app-user");
        admin.ok("role", "add", "--user", "app-user", "--project", "app-proj", "member");
        Path clouds = writeClouds("app-user", "app-pw", "app-proj", null, null);
        OpenStackCli user = new OpenStackCli(clouds, "user");

        JsonNode credential = user.json("application", "credential", "create", "cli-app", "--role", "member");
        String id = credential.path("id").asText();
        String secret = credential.path("secret").asText();
        assertThat(secret).isNotBlank();

        OpenStackCli app = new OpenStackCli(writeClouds(null, null, null, id, secret), "app");
        JsonNode token = app.json("token", "issue");
        assertThat(token.path("project_id").asText()).isEqualTo(admin.json("project", "show", "app-proj").path("id").asText());
    }

    @Test
    void changingThePasswordRejectsTheOldToken() throws IOException {
        admin.json("project", "create", "pw-proj");
        admin.json("user", "create", "--password", "old-pw", "--project", "pw-proj", "pw-user");
        admin.ok("role", "add", "--user", "pw-user", "--project", "pw-proj", "member");
        OpenStackCli user = new OpenStackCli(writeClouds("pw-user", "old-pw", "pw-proj", null, null), "user");
        String oldToken = user.json("token", "issue").path("id").asText();

        user.ok("user", "password", "set", "--original-password", "old-pw", "--password", "new-pw");

        OpenStackCli withOldToken = new OpenStackCli(writeTokenClouds(oldToken, "pw-proj"), "token");
        OpenStackCli.Result rejected = withOldToken.run("token", "issue");
        assertThat(rejected.exit()).isNotZero();
        assertThat(rejected.err()).contains("401");

        OpenStackCli renewed = new OpenStackCli(writeClouds("pw-user", "new-pw", "pw-proj", null, null), "user");
        assertThat(renewed.json("token", "issue").path("id").asText()).isNotEqualTo(oldToken);
    }

    /** A clouds.yaml with cloud "user" (password) or "app" (application credential). */
    private static Path writeClouds(String user, String password, String project, String appId, String appSecret)
            throws IOException {
        String auth = appId == null
                ? """
                  user:
                    auth:
                      auth_url: %s/v3
                      username: %s
                      password: %s
                      project_name: %s
                      user_domain_name: Default
                      project_domain_name: Default
                  """.formatted(cloud.identityUrl(), user, password, project)
                : """
                  app:
                    auth_type: v3applicationcredential
                    auth:
                      auth_url: %s/v3
                      application_credential_id: %s
                      application_credential_secret: %s
                  """.formatted(cloud.identityUrl(), appId, appSecret);
        Path file = Files.createTempFile(dataDir, "clouds", ".yaml");
        Files.writeString(file, "clouds:\n" + auth.indent(2) + "    region_name: RegionOne\n");
        return file;
    }

    private static Path writeTokenClouds(String token, String project) throws IOException {
        Path file = Files.createTempFile(dataDir, "clouds", ".yaml");
        Files.writeString(file, """
                clouds:
                  token:
                    auth_type: v3token
                    auth:
                      auth_url: %s/v3
                      token: %s
                      project_name: %s
                      project_domain_name: Default
                    region_name: RegionOne
                """.formatted(cloud.identityUrl(), token, project));
        return file;
    }
}
