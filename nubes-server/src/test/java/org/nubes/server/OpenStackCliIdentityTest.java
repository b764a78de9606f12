package org.nubes.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The identity service as a real client sees it: python-openstackclient against a cloud started
 * the way `nubes up` starts it. Outside CI the test is skipped when the CLI is not installed.
 */
class OpenStackCliIdentityTest {
    private static CliCloud cli;
    private static OpenStackCli admin;

    @BeforeAll
    static void start() {
        cli = CliCloud.start();
        admin = cli.admin();
    }

    @AfterAll
    static void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    @Test
    void adminIssuesATokenAndSeesTheCatalog() {
        JsonNode token = admin.json("token", "issue");
        assertThat(token.path("id").asText()).startsWith("gAAAAA");
        assertThat(token.path("project_id").asText()).hasSize(32);

        JsonNode catalog = admin.json("catalog", "list");
        assertThat(catalog.findValuesAsText("Type")).contains("identity");
        assertThat(catalog.toString()).contains(cli.cloud().identityUrl() + "/v3");
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
    void applicationCredentialAuthenticates() {
        admin.json("project", "create", "app-proj");
        admin.json("user", "create", "--password", "app-pw", "--project", "app-proj", "app-user");
        admin.ok("role", "add", "--user", "app-user", "--project", "app-proj", "member");
        OpenStackCli user = cli.user("app-user", "app-pw", "app-proj");

        JsonNode credential = user.json("application", "credential", "create", "cli-app", "--role", "member");
        String id = credential.path("id").asText();
        String secret = credential.path("secret").asText();
        assertThat(secret).isNotBlank();

        OpenStackCli app = new OpenStackCli(cli.clouds("app", """
                auth_type: v3applicationcredential
                auth:
                  auth_url: %s/v3
                  application_credential_id: %s
                  application_credential_secret: %s
                """.formatted(cli.cloud().identityUrl(), id, secret)), "app");
        JsonNode token = app.json("token", "issue");
        assertThat(token.path("project_id").asText()).isEqualTo(admin.json("project", "show", "app-proj").path("id").asText());
    }

    @Test
    void changingThePasswordRejectsTheOldToken() {
        admin.json("project", "create", "pw-proj");
        admin.json("user", "create", "--password", "old-pw", "--project", "pw-proj", "pw-user");
        admin.ok("role", "add", "--user", "pw-user", "--project", "pw-proj", "member");
        OpenStackCli user = cli.user("pw-user", "old-pw", "pw-proj");
        String oldToken = user.json("token", "issue").path("id").asText();

        user.ok("user", "password", "set", "--original-password", "old-pw", "--password", "new-pw");

        OpenStackCli withOldToken = new OpenStackCli(cli.clouds("token", """
                auth_type: v3token
                auth:
                  auth_url: %s/v3
                  token: %s
                  project_name: pw-proj
                  project_domain_name: Default
                """.formatted(cli.cloud().identityUrl(), oldToken)), "token");
        OpenStackCli.Result rejected = withOldToken.run("token", "issue");
        assertThat(rejected.exit()).isNotZero();
        assertThat(rejected.err()).contains("401");

        OpenStackCli renewed = cli.user("pw-user", "new-pw", "pw-proj");
        assertThat(renewed.json("token", "issue").path("id").asText()).isNotEqualTo(oldToken);
    }
}
