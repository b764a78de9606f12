package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.assertFault;
import static org.nubes.identity.api.KeystoneAssertions.keys;
import static org.nubes.identity.api.KeystoneAssertions.projectScope;
import static org.nubes.identity.api.KeystoneAssertions.texts;
import static org.nubes.identity.api.KeystoneAssertions.uniq;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;

/**
 * Role grants for users and groups on projects, domains and the system, inherited grants
 * (OS-INHERIT), and GET /v3/role_assignments, through HTTP.
 */
class GrantApiTest extends IdentityApiTestBase {
    // ---------------------------------------------------------------- helpers

    static void assertNoContent(ApiClient.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(204);
        assertThat(r.text()).isEmpty();
    }

    static String newRole(String domainId) {
        String body = domainId == null ? "{\"role\": {\"name\": \"%s\"}}".formatted(uniq("r"))
                : "{\"role\": {\"name\": \"%s\", \"domain_id\": \"%s\"}}".formatted(uniq("r"), domainId);
        return created(admin.post("/v3/roles", body), "role");
    }

    static String newDomain(String name) {
        return created(admin.post("/v3/domains", "{\"domain\": {\"name\": \"%s\"}}".formatted(name)), "domain");
    }

    static String newProject(String name, String domainId, String parentId) {
        StringBuilder body = new StringBuilder("{\"project\": {\"name\": \"%s\"".formatted(name));
        if (domainId != null) {
            body.append(", \"domain_id\": \"%s\"".formatted(domainId));
        }
        if (parentId != null) {
            body.append(", \"parent_id\": \"%s\"".formatted(parentId));
        }
        return created(admin.post("/v3/projects", body.append("}}").toString()), "project");
    }

    static String newUser(String name, String domainId) {
        return created(admin.post("/v3/users", "{\"user\": {\"name\": \"%s\", \"domain_id\": \"%s\", \"password\": \"pw\"}}"
                .formatted(name, domainId)), "user");
    }

    /** Creates a group; the group routes belong to GroupApi. */
    static String newGroup(String name, String domainId) {
        return created(admin.post("/v3/groups", "{\"group\": {\"name\": \"%s\", \"domain_id\": \"%s\"}}".formatted(name, domainId)), "group");
    }

    static void addToGroup(String groupId, String userId) {
        assertNoContent(admin.put("/v3/groups/" + groupId + "/users/" + userId, null));
    }

    static String created(ApiClient.Response r, String key) {
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path(key).path("id").asText();
    }

    static ApiClient.Response authenticate(String userId, String scope) {
        return server.anonymous().post("/v3/auth/tokens",
                "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"id\": \"%s\", \"password\": \"pw\"}}}, \"scope\": %s}}"
                        .formatted(userId, scope));
    }

    static String domainScope(String id) {
        return "{\"domain\": {\"id\": \"%s\"}}".formatted(id);
    }

    static final String SYSTEM_SCOPE = "{\"system\": {\"all\": true}}";

    /** The whole lifecycle of one grant path: PUT, HEAD, GET, its list, DELETE and the 404s after. */
    static void grantLifecycle(String list, String roleId) {
        String one = grantPath(list, roleId);
        assertThat(admin.get(list).json().path("roles")).isEmpty();
        assertThat(admin.head(one).status()).isEqualTo(404);

        assertNoContent(admin.put(one, null));
        assertNoContent(admin.put(one, null)); // granting twice is harmless
        assertNoContent(admin.head(one));
        assertNoContent(admin.get(one));

        ApiClient.Response roles = admin.get(list);
        assertThat(roles.status()).isEqualTo(200);
        assertThat(keys(roles.json())).containsExactlyInAnyOrder("roles", "links");
        assertThat(roles.json().path("roles")).hasSize(1);
        JsonNode role = roles.json().path("roles").path(0);
        assertThat(role.path("id").asText()).isEqualTo(roleId);
        assertThat(role.path("name").asText()).isNotEmpty();
        assertThat(role.path("links").path("self").asText()).endsWith("/v3/roles/" + roleId);
        assertThat(roles.json().path("links").path("self").asText()).endsWith(list);

        assertNoContent(admin.delete(one));
        assertThat(admin.head(one).status()).isEqualTo(404);
        assertFault(admin.get(one), 404, "Not Found");
        assertFault(admin.delete(one), 404, "Not Found");
        assertThat(admin.get(list).json().path("roles")).isEmpty();
    }

    static String grantPath(String list, String roleId) {
        return list.endsWith("/inherited_to_projects")
                ? list.substring(0, list.length() - "/inherited_to_projects".length()) + "/" + roleId + "/inherited_to_projects"
                : list + "/" + roleId;
    }

    static ApiClient.Response assignments(String query) {
        ApiClient.Response r = admin.get("/v3/role_assignments" + (query.isEmpty() ? "" : "?" + query));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(keys(r.json())).containsExactlyInAnyOrder("role_assignments", "links");
        return r;
    }

    /** One assignment line as "actor:id role:id scope:id [inherited]" for compact comparisons. */
    static List<String> lines(ApiClient.Response r) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : r.json().path("role_assignments")) {
            String actor = a.has("user") ? "user:" + a.path("user").path("id").asText() : "group:" + a.path("group").path("id").asText();
            JsonNode scope = a.path("scope");
            String target = scope.has("project") ? "project:" + scope.path("project").path("id").asText()
                    : scope.has("domain") ? "domain:" + scope.path("domain").path("id").asText()
                    : scope.path("system").path("all").asBoolean() ? "system:all" : "?";
            String inherited = scope.has("OS-INHERIT:inherited_to") ? " inherited" : "";
            out.add(actor + " role:" + a.path("role").path("id").asText() + " " + target + inherited);
        }
        return out;
    }

    static JsonNode find(ApiClient.Response r, String userId, String roleId, String projectId) {
        for (JsonNode a : r.json().path("role_assignments")) {
            if (a.path("user").path("id").asText().equals(userId) && a.path("role").path("id").asText().equals(roleId)
                    && a.path("scope").path("project").path("id").asText().equals(projectId)) {
                return a;
            }
        }
        throw new AssertionError("no assignment of " + roleId + " to " + userId + " on " + projectId + " in " + r.text());
    }

    // ---------------------------------------------------------------- grants

    @Nested
    class UserGrants {
        @Test
        void onAProject() {
            String project = newProject(uniq("p"), "default", null);
            String user = newUser(uniq("u"), "default");
            assertThat(authenticate(user, projectScope(project)).status()).isEqualTo(401);
            String list = "/v3/projects/" + project + "/users/" + user + "/roles";
            grantLifecycle(list, roleId("member"));

            assertNoContent(admin.put(list + "/" + roleId("member"), null));
            ApiClient.Response token = authenticate(user, projectScope(project));
            assertThat(token.status()).as(token.text()).isEqualTo(201);
            assertThat(texts(token.json().path("token").path("roles"), "name")).containsExactlyInAnyOrder("member", "reader");
        }

        @Test
        void onADomain() {
            String domain = newDomain(uniq("d"));
            String user = newUser(uniq("u"), domain);
            String list = "/v3/domains/" + domain + "/users/" + user + "/roles";
            grantLifecycle(list, roleId("reader"));

            assertNoContent(admin.put(list + "/" + roleId("reader"), null));
            ApiClient.Response token = authenticate(user, domainScope(domain));
            assertThat(token.status()).as(token.text()).isEqualTo(201);
            assertThat(token.json().path("token").path("domain").path("id").asText()).isEqualTo(domain);
            // a domain grant is not a grant on the domain's projects
            String project = newProject(uniq("p"), domain, null);
            assertThat(authenticate(user, projectScope(project)).status()).isEqualTo(401);
        }

        @Test
        void onTheSystem() {
            String user = newUser(uniq("u"), "default");
            String list = "/v3/system/users/" + user + "/roles";
            grantLifecycle(list, roleId("reader"));

            assertNoContent(admin.put(list + "/" + roleId("reader"), null));
            ApiClient.Response token = authenticate(user, SYSTEM_SCOPE);
            assertThat(token.status()).as(token.text()).isEqualTo(201);
            assertThat(token.json().path("token").path("system").path("all").asBoolean()).isTrue();
            // a system reader reads everything but changes nothing
            ApiClient reader = admin.as(token.header("X-Subject-Token"));
            assertThat(reader.get("/v3/users").status()).isEqualTo(200);
            assertThat(reader.get("/v3/role_assignments").status()).isEqualTo(200);
            assertFault(reader.post("/v3/users", "{\"user\": {\"name\": \"%s\"}}".formatted(uniq("u"))), 403, "Forbidden");
        }

        @Test
        void inheritedFromADomainToItsProjects() {
            String domain = newDomain(uniq("d"));
            String project = newProject(uniq("p"), domain, null);
            String child = newProject(uniq("c"), domain, project);
            String user = newUser(uniq("u"), domain);
            String list = "/v3/OS-INHERIT/domains/" + domain + "/users/" + user + "/roles/inherited_to_projects";
            grantLifecycle(list, roleId("member"));

            String one = grantPath(list, roleId("member"));
            assertNoContent(admin.put(one, null));
            assertThat(authenticate(user, projectScope(project)).status()).isEqualTo(201);
            assertThat(authenticate(user, projectScope(child)).status()).isEqualTo(201);
            String later = newProject(uniq("later"), domain, null);
            assertThat(authenticate(user, projectScope(later)).status()).as("projects made later inherit too").isEqualTo(201);
            assertThat(authenticate(user, domainScope(domain)).status()).as("not on the domain itself").isEqualTo(401);
            assertThat(admin.head("/v3/domains/" + domain + "/users/" + user + "/roles/" + roleId("member")).status()).isEqualTo(404);

            assertNoContent(admin.delete(one));
            assertThat(authenticate(user, projectScope(project)).status()).isEqualTo(401);
        }

        @Test
        void inheritedFromAProjectToItsSubtree() {
            String parent = newProject(uniq("p"), "default", null);
            String child = newProject(uniq("c"), null, parent);
            String grandchild = newProject(uniq("g"), null, child);
            String sibling = newProject(uniq("s"), "default", null);
            String user = newUser(uniq("u"), "default");
            String list = "/v3/OS-INHERIT/projects/" + parent + "/users/" + user + "/roles/inherited_to_projects";
            grantLifecycle(list, roleId("reader"));

            assertNoContent(admin.put(grantPath(list, roleId("reader")), null));
            assertThat(authenticate(user, projectScope(child)).status()).isEqualTo(201);
            assertThat(authenticate(user, projectScope(grandchild)).status()).isEqualTo(201);
            assertThat(authenticate(user, projectScope(parent)).status()).as("not on the project itself").isEqualTo(401);
            assertThat(authenticate(user, projectScope(sibling)).status()).isEqualTo(401);
        }

        @Test
        void unknownPartsAre404() {
            String project = newProject(uniq("p"), "default", null);
            String user = newUser(uniq("u"), "default");
            String member = roleId("member");
            assertFault(admin.put("/v3/projects/no-such-project/users/" + user + "/roles/" + member, null), 404, "Not Found");
            assertFault(admin.put("/v3/projects/" + project + "/users/no-such-user/roles/" + member, null), 404, "Not Found");
            assertFault(admin.put("/v3/projects/" + project + "/users/" + user + "/roles/no-such-role", null), 404, "Not Found");
            assertFault(admin.put("/v3/domains/no-such-domain/users/" + user + "/roles/" + member, null), 404, "Not Found");
            assertFault(admin.put("/v3/system/users/no-such-user/roles/" + member, null), 404, "Not Found");
            assertFault(admin.get("/v3/projects/no-such-project/users/" + user + "/roles"), 404, "Not Found");
            assertFault(admin.get("/v3/system/users/no-such-user/roles"), 404, "Not Found");
            assertFault(admin.delete("/v3/projects/" + project + "/users/" + user + "/roles/no-such-role"), 404, "Not Found");
        }

        @Test
        void aDomainRoleIsGrantedOnlyInsideItsDomain() {
            String domain = newDomain(uniq("d"));
            String inside = newProject(uniq("p"), domain, null);
            String outside = newProject(uniq("p"), "default", null);
            String user = newUser(uniq("u"), domain);
            String role = newRole(domain);
            assertNoContent(admin.put("/v3/projects/" + inside + "/users/" + user + "/roles/" + role, null));
            assertNoContent(admin.put("/v3/domains/" + domain + "/users/" + user + "/roles/" + role, null));
            assertFault(admin.put("/v3/projects/" + outside + "/users/" + user + "/roles/" + role, null), 403, "Forbidden");
            assertFault(admin.put("/v3/domains/default/users/" + user + "/roles/" + role, null), 403, "Forbidden");
            assertFault(admin.put("/v3/system/users/" + user + "/roles/" + role, null), 403, "Forbidden");
        }

        @Test
        void aDomainRoleWorksThroughTheGlobalRolesItImplies() {
            String domain = newDomain(uniq("d"));
            String project = newProject(uniq("p"), domain, null);
            String user = newUser(uniq("u"), domain);
            String role = newRole(domain);
            assertThat(admin.put("/v3/roles/" + role + "/implies/" + roleId("member"), null).status()).isEqualTo(201);
            assertNoContent(admin.put("/v3/projects/" + project + "/users/" + user + "/roles/" + role, null));
            ApiClient.Response token = authenticate(user, projectScope(project));
            assertThat(token.status()).as(token.text()).isEqualTo(201);
            // Keystone leaves domain-specific roles out of tokens; the roles they imply are in
            assertThat(texts(token.json().path("token").path("roles"), "id"))
                    .contains(roleId("member"), roleId("reader")).doesNotContain(role);
            // and so does the effective assignment list
            JsonNode effective = admin.get("/v3/role_assignments?effective&user.id=" + user).json().path("role_assignments");
            List<String> effectiveRoles = new ArrayList<>();
            effective.forEach(a -> effectiveRoles.add(a.path("role").path("id").asText()));
            assertThat(effectiveRoles).contains(roleId("member"), roleId("reader")).doesNotContain(role);
        }

        @Test
        void onlyAdminsGrant() {
            String project = uniq("p");
            String userName = uniq("u");
            List<String> ids = server.projectWithUser(project, userName, "pw", "member");
            ApiClient member = admin.as(server.token(userName, "pw", project));
            String other = newUser(uniq("u"), "default");
            String path = "/v3/projects/" + ids.get(0) + "/users/" + other + "/roles/" + roleId("member");
            assertFault(member.put(path, null), 403, "Forbidden");
            assertFault(member.put("/v3/projects/" + ids.get(0) + "/users/" + ids.get(1) + "/roles/" + roleId("admin"), null), 403, "Forbidden");
            assertFault(member.put("/v3/system/users/" + ids.get(1) + "/roles/" + roleId("admin"), null), 403, "Forbidden");
            assertFault(member.delete("/v3/projects/" + ids.get(0) + "/users/" + ids.get(1) + "/roles/" + roleId("member")), 403, "Forbidden");
            assertThat(admin.head(path).status()).isEqualTo(404);
            assertThat(admin.head("/v3/projects/" + ids.get(0) + "/users/" + ids.get(1) + "/roles/" + roleId("member")).status()).isEqualTo(204);
        }

        @Test
        void everyRouteNeedsAToken() {
            String project = newProject(uniq("p"), "default", null);
            String user = newUser(uniq("u"), "default");
            String one = "/v3/projects/" + project + "/users/" + user + "/roles/" + roleId("member");
            ApiClient anonymous = server.anonymous();
            assertFault(anonymous.put(one, null), 401, "Unauthorized");
            assertFault(anonymous.get(one), 401, "Unauthorized");
            assertFault(anonymous.delete(one), 401, "Unauthorized");
            assertFault(anonymous.get("/v3/projects/" + project + "/users/" + user + "/roles"), 401, "Unauthorized");
            assertFault(anonymous.put("/v3/system/users/" + user + "/roles/" + roleId("admin"), null), 401, "Unauthorized");
            assertFault(anonymous.get("/v3/role_assignments"), 401, "Unauthorized");
            assertThat(admin.head(one).status()).isEqualTo(404);
        }
    }

    @Nested
    class GroupGrants {
        @Test
        void onAProjectDomainAndSystem() {
            String domain = newDomain(uniq("d"));
            String project = newProject(uniq("p"), domain, null);
            String group = newGroup(uniq("g"), domain);
            grantLifecycle("/v3/projects/" + project + "/groups/" + group + "/roles", roleId("member"));
            grantLifecycle("/v3/domains/" + domain + "/groups/" + group + "/roles", roleId("reader"));
            grantLifecycle("/v3/system/groups/" + group + "/roles", roleId("reader"));
            grantLifecycle("/v3/OS-INHERIT/domains/" + domain + "/groups/" + group + "/roles/inherited_to_projects", roleId("reader"));
            grantLifecycle("/v3/OS-INHERIT/projects/" + project + "/groups/" + group + "/roles/inherited_to_projects", roleId("reader"));
            assertFault(admin.put("/v3/projects/" + project + "/groups/no-such-group/roles/" + roleId("member"), null), 404, "Not Found");
        }

        @Test
        void membersGetTheGroupsRoles() {
            String domain = newDomain(uniq("d"));
            String project = newProject(uniq("p"), domain, null);
            String other = newProject(uniq("o"), domain, null);
            String group = newGroup(uniq("g"), domain);
            String user = newUser(uniq("u"), domain);
            assertNoContent(admin.put("/v3/projects/" + project + "/groups/" + group + "/roles/" + roleId("member"), null));
            assertNoContent(admin.put("/v3/domains/" + domain + "/groups/" + group + "/roles/" + roleId("reader"), null));
            assertNoContent(admin.put("/v3/system/groups/" + group + "/roles/" + roleId("reader"), null));
            assertNoContent(admin.put("/v3/OS-INHERIT/domains/" + domain + "/groups/" + group + "/roles/" + roleId("reader")
                    + "/inherited_to_projects", null));
            assertThat(authenticate(user, projectScope(project)).status()).isEqualTo(401);

            addToGroup(group, user);
            ApiClient.Response token = authenticate(user, projectScope(project));
            assertThat(token.status()).as(token.text()).isEqualTo(201);
            assertThat(texts(token.json().path("token").path("roles"), "name")).containsExactlyInAnyOrder("member", "reader");
            assertThat(authenticate(user, domainScope(domain)).status()).isEqualTo(201);
            assertThat(authenticate(user, SYSTEM_SCOPE).status()).isEqualTo(201);
            ApiClient.Response inherited = authenticate(user, projectScope(other));
            assertThat(inherited.status()).isEqualTo(201);
            assertThat(texts(inherited.json().path("token").path("roles"), "name")).containsExactly("reader");

            // leaving the group takes the roles away, and the tokens they gave
            String projectToken = token.header("X-Subject-Token");
            assertNoContent(admin.delete("/v3/groups/" + group + "/users/" + user));
            assertThat(authenticate(user, projectScope(project)).status()).isEqualTo(401);
            assertThat(admin.as(projectToken).get("/v3/users/" + user).status()).isEqualTo(401);
        }
    }

    // ---------------------------------------------------------------- /v3/role_assignments

    /**
     * One domain with a small tree and every kind of assignment, shared by the role_assignments
     * tests (each reads only).
     */
    @Nested
    class RoleAssignmentList {
        String domain;
        String parent;
        String child;
        String other;
        String user;
        String userName;
        String group;
        String groupName;
        String prior;
        String implied;
        String member;
        String reader;

        @org.junit.jupiter.api.BeforeEach
        void scenario() {
            String tag = UUID.randomUUID().toString().substring(0, 8);
            domain = newDomain("dom-" + tag);
            parent = newProject("parent-" + tag, domain, null);
            child = newProject("child-" + tag, domain, parent);
            other = newProject("other-" + tag, domain, null);
            userName = "user-" + tag;
            user = newUser(userName, domain);
            groupName = "group-" + tag;
            group = newGroup(groupName, domain);
            addToGroup(group, user);
            prior = newRole(null);
            implied = newRole(null);
            assertThat(admin.put("/v3/roles/" + prior + "/implies/" + implied, null).status()).isEqualTo(201);
            member = roleId("member");
            reader = roleId("reader");

            assertNoContent(admin.put("/v3/projects/" + parent + "/users/" + user + "/roles/" + member, null));
            assertNoContent(admin.put("/v3/projects/" + child + "/users/" + user + "/roles/" + prior, null));
            assertNoContent(admin.put("/v3/projects/" + other + "/groups/" + group + "/roles/" + reader, null));
            assertNoContent(admin.put("/v3/OS-INHERIT/domains/" + domain + "/users/" + user + "/roles/" + reader + "/inherited_to_projects", null));
            assertNoContent(admin.put("/v3/domains/" + domain + "/users/" + user + "/roles/" + reader, null));
            assertNoContent(admin.put("/v3/system/users/" + user + "/roles/" + reader, null));
        }

        @Test
        void filteredByUserListsTheStoredAssignments() {
            ApiClient.Response r = assignments("user.id=" + user);
            assertThat(lines(r)).containsExactlyInAnyOrder(
                    "user:" + user + " role:" + member + " project:" + parent,
                    "user:" + user + " role:" + prior + " project:" + child,
                    "user:" + user + " role:" + reader + " domain:" + domain + " inherited",
                    "user:" + user + " role:" + reader + " domain:" + domain,
                    "user:" + user + " role:" + reader + " system:all");
            JsonNode a = find(r, user, member, parent);
            assertThat(keys(a)).containsExactlyInAnyOrder("links", "role", "scope", "user");
            assertThat(keys(a.path("role"))).containsExactly("id");
            assertThat(keys(a.path("user"))).containsExactly("id");
            assertThat(keys(a.path("scope"))).containsExactly("project");
            assertThat(keys(a.path("scope").path("project"))).containsExactly("id");
            assertThat(keys(a.path("links"))).containsExactly("assignment");
            assertThat(a.path("links").path("assignment").asText())
                    .isEqualTo(server.url() + "/v3/projects/" + parent + "/users/" + user + "/roles/" + member);
            assertThat(r.json().path("links").path("self").asText()).contains("/v3/role_assignments");

            for (JsonNode line : r.json().path("role_assignments")) {
                if (line.path("scope").has("OS-INHERIT:inherited_to")) {
                    assertThat(line.path("scope").path("OS-INHERIT:inherited_to").asText()).isEqualTo("projects");
                    assertThat(line.path("links").path("assignment").asText()).isEqualTo(server.url()
                            + "/v3/OS-INHERIT/domains/" + domain + "/users/" + user + "/roles/" + reader + "/inherited_to_projects");
                }
                if (line.path("scope").has("system")) {
                    assertThat(line.path("links").path("assignment").asText())
                            .isEqualTo(server.url() + "/v3/system/users/" + user + "/roles/" + reader);
                }
            }
        }

        @Test
        void filteredByGroupRoleAndScope() {
            assertThat(lines(assignments("group.id=" + group))).containsExactly("group:" + group + " role:" + reader + " project:" + other);
            assertThat(lines(assignments("role.id=" + prior))).containsExactly("user:" + user + " role:" + prior + " project:" + child);
            assertThat(lines(assignments("scope.project.id=" + parent))).containsExactly("user:" + user + " role:" + member + " project:" + parent);
            assertThat(lines(assignments("scope.domain.id=" + domain))).containsExactlyInAnyOrder(
                    "user:" + user + " role:" + reader + " domain:" + domain + " inherited",
                    "user:" + user + " role:" + reader + " domain:" + domain);
            assertThat(lines(assignments("scope.system=all&user.id=" + user))).containsExactly("user:" + user + " role:" + reader + " system:all");
            assertThat(lines(assignments("scope.system=all"))).contains("user:" + user + " role:" + reader + " system:all")
                    .allMatch(l -> l.endsWith("system:all"));
            assertThat(lines(assignments("user.id=" + user + "&role.id=" + reader + "&scope.domain.id=" + domain))).hasSize(2);
            assertThat(lines(assignments("scope.OS-INHERIT:inherited_to=projects&user.id=" + user)))
                    .containsExactly("user:" + user + " role:" + reader + " domain:" + domain + " inherited");
            assertThat(lines(assignments(""))).contains("user:" + user + " role:" + member + " project:" + parent,
                    "group:" + group + " role:" + reader + " project:" + other);
        }

        @Test
        void effectiveExpandsGroupsInheritanceAndImpliedRoles() {
            ApiClient.Response r = assignments("effective&user.id=" + user);
            assertThat(lines(r)).containsExactlyInAnyOrder(
                    // direct, and what member implies
                    "user:" + user + " role:" + member + " project:" + parent,
                    "user:" + user + " role:" + reader + " project:" + parent,
                    "user:" + user + " role:" + prior + " project:" + child,
                    "user:" + user + " role:" + implied + " project:" + child,
                    // through the group
                    "user:" + user + " role:" + reader + " project:" + other,
                    // the inherited domain grant, on every project of the domain
                    "user:" + user + " role:" + reader + " project:" + parent,
                    "user:" + user + " role:" + reader + " project:" + child,
                    "user:" + user + " role:" + reader + " project:" + other,
                    // the domain and system grants as they are
                    "user:" + user + " role:" + reader + " domain:" + domain,
                    "user:" + user + " role:" + reader + " system:all");

            JsonNode viaGroup = null;
            JsonNode viaPrior = null;
            for (JsonNode a : r.json().path("role_assignments")) {
                assertThat(a.has("group")).as("effective lists users only").isFalse();
                if (a.path("links").has("membership")) {
                    viaGroup = a;
                }
                if (a.path("links").has("prior_role") && a.path("role").path("id").asText().equals(implied)) {
                    viaPrior = a;
                }
            }
            assertThat(viaGroup).isNotNull();
            assertThat(viaGroup.path("scope").path("project").path("id").asText()).isEqualTo(other);
            assertThat(viaGroup.path("links").path("membership").asText()).isEqualTo(server.url() + "/v3/groups/" + group + "/users/" + user);
            assertThat(viaGroup.path("links").path("assignment").asText())
                    .isEqualTo(server.url() + "/v3/projects/" + other + "/groups/" + group + "/roles/" + reader);

            assertThat(viaPrior).isNotNull();
            assertThat(viaPrior.path("links").path("prior_role").asText()).isEqualTo(server.url() + "/v3/roles/" + prior);
            assertThat(viaPrior.path("links").path("assignment").asText())
                    .isEqualTo(server.url() + "/v3/projects/" + child + "/users/" + user + "/roles/" + prior);

            for (JsonNode a : r.json().path("role_assignments")) {
                assertThat(a.path("scope").has("OS-INHERIT:inherited_to")).as("effective lines are applied, not inherited").isFalse();
                if (a.path("scope").path("project").path("id").asText().equals(child)
                        && a.path("role").path("id").asText().equals(reader)) {
                    assertThat(a.path("links").path("assignment").asText()).isEqualTo(server.url()
                            + "/v3/OS-INHERIT/domains/" + domain + "/users/" + user + "/roles/" + reader + "/inherited_to_projects");
                }
            }

            assertThat(lines(assignments("effective&scope.project.id=" + other))).containsExactlyInAnyOrder(
                    "user:" + user + " role:" + reader + " project:" + other,
                    "user:" + user + " role:" + reader + " project:" + other);
        }

        @Test
        void includeNamesFillsNamesAndDomains() {
            ApiClient.Response r = assignments("include_names&user.id=" + user + "&scope.project.id=" + parent);
            JsonNode a = find(r, user, member, parent);
            assertThat(a.path("role").path("name").asText()).isEqualTo("member");
            assertThat(a.path("user").path("name").asText()).isEqualTo(userName);
            assertThat(a.path("user").path("domain").path("id").asText()).isEqualTo(domain);
            assertThat(a.path("user").path("domain").path("name").asText()).isEqualTo("dom-" + userName.substring(5));
            JsonNode project = a.path("scope").path("project");
            assertThat(project.path("name").asText()).isEqualTo("parent-" + userName.substring(5));
            assertThat(project.path("domain").path("id").asText()).isEqualTo(domain);
            assertThat(project.path("domain").path("name").asText()).isEqualTo("dom-" + userName.substring(5));

            JsonNode grouped = assignments("include_names&group.id=" + group).json().path("role_assignments").path(0);
            assertThat(grouped.path("group").path("name").asText()).isEqualTo(groupName);
            assertThat(grouped.path("group").path("domain").path("id").asText()).isEqualTo(domain);

            JsonNode onDomain = assignments("include_names&scope.domain.id=" + domain).json().path("role_assignments").path(0);
            assertThat(onDomain.path("scope").path("domain").path("name").asText()).isEqualTo("dom-" + userName.substring(5));

            // without include_names only ids
            JsonNode plain = find(assignments("user.id=" + user), user, member, parent);
            assertThat(keys(plain.path("role"))).containsExactly("id");
            assertThat(keys(plain.path("user"))).containsExactly("id");
        }

        @Test
        void includeSubtreeAddsTheProjectsBelow() {
            assertThat(lines(assignments("scope.project.id=" + parent))).containsExactly(
                    "user:" + user + " role:" + member + " project:" + parent);
            assertThat(lines(assignments("scope.project.id=" + parent + "&include_subtree=true"))).containsExactlyInAnyOrder(
                    "user:" + user + " role:" + member + " project:" + parent,
                    "user:" + user + " role:" + prior + " project:" + child);
            assertThat(lines(assignments("scope.project.id=" + parent + "&include_subtree=true&effective"))).contains(
                    "user:" + user + " role:" + implied + " project:" + child,
                    "user:" + user + " role:" + reader + " project:" + child);
        }

        @Test
        void contradictoryQueriesAre400() {
            assertFault(admin.get("/v3/role_assignments?effective&group.id=" + group), 400, "Bad Request");
            assertFault(admin.get("/v3/role_assignments?include_subtree=true"), 400, "Bad Request");
        }

        @Test
        void aProjectMemberMayNotListAssignments() {
            String project = uniq("p");
            String name = uniq("u");
            server.projectWithUser(project, name, "pw", "member");
            ApiClient member = admin.as(server.token(name, "pw", project));
            assertFault(member.get("/v3/role_assignments"), 403, "Forbidden");
            assertFault(member.get("/v3/role_assignments?user.id=" + user), 403, "Forbidden");
        }

        @Test
        void aDomainReaderListsTheAssignmentsOfItsDomain() {
            ApiClient.Response token = authenticate(user, domainScope(domain));
            assertThat(token.status()).isEqualTo(201);
            ApiClient reader = admin.as(token.header("X-Subject-Token"));
            ApiClient.Response r = reader.get("/v3/role_assignments?scope.domain.id=" + domain);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(lines(r)).hasSize(2);
            assertThat(reader.get("/v3/role_assignments?scope.project.id=" + parent).status()).isEqualTo(200);
            assertFault(reader.get("/v3/role_assignments?scope.domain.id=default"), 403, "Forbidden");
        }
    }
}
