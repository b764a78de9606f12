package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.assertFault;
import static org.nubes.identity.api.KeystoneAssertions.assertInvalid;
import static org.nubes.identity.api.KeystoneAssertions.keys;
import static org.nubes.identity.api.KeystoneAssertions.texts;
import static org.nubes.identity.api.KeystoneAssertions.uniq;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;

/** /v3/projects through HTTP: CRUD, the hierarchy, tags and their filters, conflicts and bad input. */
class ProjectApiTest extends IdentityApiTestBase {
    static JsonNode create(String body) {
        ApiClient.Response r = admin.post("/v3/projects", body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("project");
    }

    static JsonNode project(String name, String extra) {
        return create("{\"project\": {\"name\": \"%s\"%s}}".formatted(name, extra == null ? "" : ", " + extra));
    }

    @Test
    void createAnswers201WithKeystoneProject() {
        String name = uniq("p");
        ApiClient.Response r = admin.post("/v3/projects",
                "{\"project\": {\"name\": \"%s\", \"domain_id\": \"default\", \"description\": \"a project\", \"tags\": [\"one\", \"two\"], \"cost_center\": \"42\"}}"
                        .formatted(name));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(keys(r.json())).containsExactly("project");
        JsonNode p = r.json().path("project");
        assertThat(keys(p)).containsExactlyInAnyOrder("id", "name", "domain_id", "description", "enabled", "parent_id",
                "is_domain", "tags", "options", "links", "cost_center");
        assertThat(p.path("id").asText()).matches("[0-9a-f]{32}");
        assertThat(p.path("name").asText()).isEqualTo(name);
        assertThat(p.path("domain_id").asText()).isEqualTo("default");
        assertThat(p.path("parent_id").asText()).as("a top-level project's parent is its domain").isEqualTo("default");
        assertThat(p.path("description").asText()).isEqualTo("a project");
        assertThat(p.path("enabled").asBoolean()).isTrue();
        assertThat(p.path("is_domain").isBoolean()).isTrue();
        assertThat(p.path("is_domain").asBoolean()).isFalse();
        assertThat(texts(p.path("tags"), null)).containsExactlyInAnyOrder("one", "two");
        assertThat(p.path("cost_center").asText()).isEqualTo("42");
        assertThat(p.path("links").path("self").asText()).isEqualTo(server.url() + "/v3/projects/" + p.path("id").asText());

        ApiClient.Response shown = admin.get("/v3/projects/" + p.path("id").asText());
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().path("project")).isEqualTo(p);
    }

    @Test
    void showListsTheSubtreeAndTheParentsWhenAsked() {
        String top = project(uniq("top"), null).path("id").asText();
        String child = project(uniq("child"), "\"parent_id\": \"%s\"".formatted(top)).path("id").asText();
        String leaf = project(uniq("leaf"), "\"parent_id\": \"%s\"".formatted(child)).path("id").asText();

        JsonNode subtree = admin.get("/v3/projects/" + top + "?subtree_as_ids").json().path("project").path("subtree");
        assertThat(subtree.toString()).isEqualTo("{\"%s\":{\"%s\":null}}".formatted(child, leaf));
        JsonNode parents = admin.get("/v3/projects/" + leaf + "?parents_as_ids").json().path("project").path("parents");
        assertThat(parents.toString()).isEqualTo("{\"%s\":{\"%s\":null}}".formatted(child, top));
        JsonNode list = admin.get("/v3/projects/" + top + "?subtree_as_list").json().path("project").path("subtree");
        assertThat(list.findValuesAsText("id")).containsExactlyInAnyOrder(child, leaf);
        JsonNode parentList = admin.get("/v3/projects/" + leaf + "?parents_as_list").json().path("project").path("parents");
        assertThat(parentList.findValuesAsText("id")).containsExactly(child, top);
        assertThat(admin.get("/v3/projects/" + top).json().path("project").has("subtree")).isFalse();
    }

    @Test
    void createWithDefaults() {
        JsonNode p = project(uniq("p"), null);
        assertThat(p.path("domain_id").asText()).isEqualTo("default");
        assertThat(p.path("description").asText()).isEmpty();
        assertThat(p.path("enabled").asBoolean()).isTrue();
        assertThat(p.path("tags")).isEmpty();
        assertThat(p.path("options").isObject()).isTrue();
        assertThat(project(uniq("p"), "\"enabled\": false").path("enabled").asBoolean()).isFalse();
    }

    @Test
    void hierarchy() {
        String domain = newDomain();
        JsonNode parent = project(uniq("parent"), "\"domain_id\": \"%s\"".formatted(domain));
        String parentId = parent.path("id").asText();
        assertThat(parent.path("parent_id").asText()).isEqualTo(domain);

        JsonNode child = project(uniq("child"), "\"parent_id\": \"%s\"".formatted(parentId));
        assertThat(child.path("parent_id").asText()).isEqualTo(parentId);
        assertThat(child.path("domain_id").asText()).as("a child lives in its parent's domain").isEqualTo(domain);
        JsonNode grandchild = project(uniq("grandchild"),
                "\"parent_id\": \"%s\", \"domain_id\": \"%s\"".formatted(child.path("id").asText(), domain));
        assertThat(grandchild.path("parent_id").asText()).isEqualTo(child.path("id").asText());

        // the domain id as parent makes a top-level project
        JsonNode top = project(uniq("top"), "\"parent_id\": \"%s\"".formatted(domain));
        assertThat(top.path("domain_id").asText()).isEqualTo(domain);
        assertThat(top.path("parent_id").asText()).isEqualTo(domain);

        assertThat(texts(admin.get("/v3/projects?parent_id=" + parentId).json().path("projects"), "id"))
                .containsExactly(child.path("id").asText());
        assertThat(texts(admin.get("/v3/projects?parent_id=" + domain).json().path("projects"), "id"))
                .containsExactlyInAnyOrder(parentId, top.path("id").asText());
    }

    @Test
    void aChildMustBeInItsParentsDomain() {
        JsonNode parent = project(uniq("parent"), null);
        String other = newDomain();
        String name = uniq("child");
        ApiClient.Response r = admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"parent_id\": \"%s\", \"domain_id\": \"%s\"}}"
                .formatted(name, parent.path("id").asText(), other));
        assertFault(r, 400, "Bad Request");
        assertInvalid(admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"parent_id\": \"no-such-project\"}}".formatted(name)));
        assertInvalid(admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"domain_id\": \"no-such-domain\"}}".formatted(name)));
        assertThat(admin.get("/v3/projects?name=" + name).json().path("projects")).isEmpty();
    }

    @Test
    void noChildUnderADisabledParent() {
        JsonNode parent = project(uniq("parent"), "\"enabled\": false");
        String name = uniq("child");
        assertFault(admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"parent_id\": \"%s\"}}"
                .formatted(name, parent.path("id").asText())), 400, "Bad Request");
        assertThat(admin.get("/v3/projects?name=" + name).json().path("projects")).isEmpty();
    }

    @Test
    void deletingAProjectWithChildrenIs403() {
        String parentId = project(uniq("parent"), null).path("id").asText();
        String childId = project(uniq("child"), "\"parent_id\": \"%s\"".formatted(parentId)).path("id").asText();
        assertFault(admin.delete("/v3/projects/" + parentId), 403, "Forbidden");
        assertThat(admin.get("/v3/projects/" + parentId).status()).isEqualTo(200);

        assertThat(admin.delete("/v3/projects/" + childId).status()).isEqualTo(204);
        ApiClient.Response r = admin.delete("/v3/projects/" + parentId);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.text()).isEmpty();
        assertFault(admin.get("/v3/projects/" + parentId), 404, "Not Found");
        assertFault(admin.delete("/v3/projects/" + parentId), 404, "Not Found");
    }

    @Test
    void deletingAProjectRemovesItsTagsAndAssignments() {
        List<String> ids = server.projectWithUser(uniq("p"), uniq("u"), "pw", "member");
        assertThat(admin.put("/v3/projects/" + ids.get(0) + "/tags/t1", null).status()).isEqualTo(201);
        assertThat(admin.delete("/v3/projects/" + ids.get(0)).status()).isEqualTo(204);
        assertThat(admin.get("/v3/role_assignments?user.id=" + ids.get(1)).json().path("role_assignments")).isEmpty();
        assertThat(admin.get("/v3/users/" + ids.get(1) + "/projects").json().path("projects")).isEmpty();
    }

    @Test
    void update() {
        JsonNode p = project(uniq("p"), "\"description\": \"before\", \"tags\": [\"a\"], \"owner\": \"x\"");
        String id = p.path("id").asText();
        String renamed = uniq("renamed");
        ApiClient.Response r = admin.patch("/v3/projects/" + id,
                "{\"project\": {\"name\": \"%s\", \"description\": \"after\", \"enabled\": false, \"tags\": [\"b\", \"c\"]}}".formatted(renamed));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode updated = r.json().path("project");
        assertThat(updated.path("name").asText()).isEqualTo(renamed);
        assertThat(updated.path("description").asText()).isEqualTo("after");
        assertThat(updated.path("enabled").asBoolean()).isFalse();
        assertThat(texts(updated.path("tags"), null)).containsExactlyInAnyOrder("b", "c");
        assertThat(updated.path("owner").asText()).isEqualTo("x");
        assertThat(updated.path("domain_id").asText()).isEqualTo("default");
        assertThat(admin.get("/v3/projects/" + id).json().path("project")).isEqualTo(updated);

        // moving a project is not allowed; repeating where it is, is
        assertInvalid(admin.patch("/v3/projects/" + id, "{\"project\": {\"domain_id\": \"%s\"}}".formatted(newDomain())));
        String otherParent = project(uniq("p"), null).path("id").asText();
        assertInvalid(admin.patch("/v3/projects/" + id, "{\"project\": {\"parent_id\": \"%s\"}}".formatted(otherParent)));
        assertThat(admin.patch("/v3/projects/" + id, "{\"project\": {\"domain_id\": \"default\", \"parent_id\": \"default\"}}").status())
                .isEqualTo(200);
        assertInvalid(admin.patch("/v3/projects/" + id, "{\"project\": {\"is_domain\": true}}"));
        assertInvalid(admin.patch("/v3/projects/" + id, "{\"project\": {\"enabled\": \"false\"}}"));
        assertInvalid(admin.patch("/v3/projects/" + id, "{\"project\": {\"tags\": \"a\"}}"));
        assertFault(admin.patch("/v3/projects/no-such-project", "{\"project\": {\"name\": \"x\"}}"), 404, "Not Found");
    }

    @Test
    void duplicateNameIs409InTheSameDomainButFineInAnother() {
        String name = uniq("dup");
        project(name, null);
        ApiClient.Response conflict = admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"domain_id\": \"default\"}}".formatted(name));
        assertFault(conflict, 409, "Conflict");
        assertThat(conflict.json().path("error").path("message").asText()).contains(name);

        String domain = newDomain();
        assertThat(project(name, "\"domain_id\": \"%s\"".formatted(domain)).path("domain_id").asText()).isEqualTo(domain);

        String other = project(uniq("p"), null).path("id").asText();
        assertFault(admin.patch("/v3/projects/" + other, "{\"project\": {\"name\": \"%s\"}}".formatted(name)), 409, "Conflict");
    }

    @Test
    void isDomainTrueIs400() {
        String name = uniq("p");
        assertInvalid(admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"is_domain\": true}}".formatted(name)));
        assertThat(admin.get("/v3/projects?name=" + name).json().path("projects")).isEmpty();
        assertThat(project(name, "\"is_domain\": false").path("is_domain").asBoolean()).isFalse();
    }

    @Test
    void badInputIs400() {
        String name = uniq("bad");
        assertFault(admin.post("/v3/projects", "{\"project\": "), 400, "Bad Request");
        assertInvalid(admin.post("/v3/projects", "{}"));
        assertInvalid(admin.post("/v3/projects", "{\"project\": 1}"));
        assertInvalid(admin.post("/v3/projects", "{\"project\": {}}"));
        assertInvalid(admin.post("/v3/projects", "{\"project\": {\"name\": 7}}"));
        assertInvalid(admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\"}}".formatted("p".repeat(65))));
        assertInvalid(admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"enabled\": 1}}".formatted(name)));
        assertInvalid(admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"tags\": \"x\"}}".formatted(name)));
        assertInvalid(admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"tags\": [1]}}".formatted(name)));
        assertInvalid(admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"tags\": [\"a,b\"]}}".formatted(name)));
        assertInvalid(admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"tags\": [\"a/b\"]}}".formatted(name)));
        assertInvalid(admin.post("/v3/projects", "{\"project\": {\"name\": \"%s\", \"is_domain\": \"no\"}}".formatted(name)));
        assertThat(admin.get("/v3/projects?name=" + name).json().path("projects")).isEmpty();
    }

    @Test
    void everyRouteNeedsAToken() {
        String id = project(uniq("p"), "\"tags\": [\"t\"]").path("id").asText();
        ApiClient anonymous = server.anonymous();
        assertFault(anonymous.get("/v3/projects"), 401, "Unauthorized");
        assertFault(anonymous.post("/v3/projects", "{\"project\": {\"name\": \"x\"}}"), 401, "Unauthorized");
        assertFault(anonymous.get("/v3/projects/" + id), 401, "Unauthorized");
        assertFault(anonymous.patch("/v3/projects/" + id, "{\"project\": {\"name\": \"x\"}}"), 401, "Unauthorized");
        assertFault(anonymous.delete("/v3/projects/" + id), 401, "Unauthorized");
        assertFault(anonymous.get("/v3/projects/" + id + "/tags"), 401, "Unauthorized");
        assertFault(anonymous.put("/v3/projects/" + id + "/tags", "{\"tags\": []}"), 401, "Unauthorized");
        assertFault(anonymous.put("/v3/projects/" + id + "/tags/x", null), 401, "Unauthorized");
        assertFault(anonymous.delete("/v3/projects/" + id + "/tags/t"), 401, "Unauthorized");
        assertFault(anonymous.delete("/v3/projects/" + id + "/tags"), 401, "Unauthorized");
        assertThat(texts(admin.get("/v3/projects/" + id + "/tags").json().path("tags"), null)).containsExactly("t");
    }

    @Test
    void listAndFilters() {
        String domain = newDomain();
        String a = project(uniq("a"), "\"domain_id\": \"%s\"".formatted(domain)).path("id").asText();
        String b = project(uniq("b"), "\"domain_id\": \"%s\", \"enabled\": false".formatted(domain)).path("id").asText();

        ApiClient.Response all = admin.get("/v3/projects");
        assertThat(all.status()).isEqualTo(200);
        assertThat(keys(all.json())).containsExactlyInAnyOrder("projects", "links");
        assertThat(texts(all.json().path("projects"), "name")).contains("admin", "service");
        assertThat(texts(all.json().path("projects"), "id")).contains(a, b);

        assertThat(texts(admin.get("/v3/projects?domain_id=" + domain).json().path("projects"), "id")).containsExactlyInAnyOrder(a, b);
        assertThat(texts(admin.get("/v3/projects?domain_id=" + domain + "&enabled=false").json().path("projects"), "id"))
                .containsExactly(b);
        assertThat(texts(admin.get("/v3/projects?name=admin").json().path("projects"), "name")).containsExactly("admin");
        assertThat(admin.get("/v3/projects?is_domain=true").json().path("projects")).isEmpty();
    }

    @Test
    void tagRoutes() {
        String id = project(uniq("p"), "\"tags\": [\"red\"]").path("id").asText();
        String base = "/v3/projects/" + id + "/tags";

        ApiClient.Response list = admin.get(base);
        assertThat(list.status()).isEqualTo(200);
        assertThat(texts(list.json().path("tags"), null)).containsExactly("red");

        ApiClient.Response added = admin.put(base + "/blue", null);
        assertThat(added.status()).isEqualTo(201);
        assertThat(added.header("Location")).endsWith(base + "/blue");
        assertThat(admin.put(base + "/blue", null).status()).as("adding again is harmless").isEqualTo(201);
        assertThat(texts(admin.get(base).json().path("tags"), null)).containsExactlyInAnyOrder("red", "blue");

        assertThat(admin.get(base + "/blue").status()).isEqualTo(204);
        assertThat(admin.head(base + "/blue").status()).isEqualTo(204);
        assertFault(admin.get(base + "/green"), 404, "Not Found");
        assertThat(admin.head(base + "/green").status()).isEqualTo(404);

        assertThat(admin.delete(base + "/red").status()).isEqualTo(204);
        assertFault(admin.delete(base + "/red"), 404, "Not Found");
        assertThat(texts(admin.get(base).json().path("tags"), null)).containsExactly("blue");

        ApiClient.Response replaced = admin.put(base, "{\"tags\": [\"x\", \"y\"]}");
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(texts(replaced.json().path("tags"), null)).containsExactlyInAnyOrder("x", "y");
        assertThat(texts(admin.get("/v3/projects/" + id).json().path("project").path("tags"), null)).containsExactlyInAnyOrder("x", "y");

        assertInvalid(admin.put(base, "{\"tags\": [\"bad,tag\"]}"));
        assertInvalid(admin.put(base, "{\"tags\": \"x\"}"));
        assertInvalid(admin.put(base + "/bad,tag", null));
        assertThat(texts(admin.get(base).json().path("tags"), null)).containsExactlyInAnyOrder("x", "y");

        assertThat(admin.delete(base).status()).isEqualTo(204);
        assertThat(admin.get(base).json().path("tags")).isEmpty();

        assertFault(admin.get("/v3/projects/no-such-project/tags"), 404, "Not Found");
        assertFault(admin.put("/v3/projects/no-such-project/tags/a", null), 404, "Not Found");
    }

    @Test
    void tagFilters() {
        String domain = newDomain();
        String ab = project(uniq("ab"), "\"domain_id\": \"%s\", \"tags\": [\"a\", \"b\"]".formatted(domain)).path("id").asText();
        String a = project(uniq("a"), "\"domain_id\": \"%s\", \"tags\": [\"a\"]".formatted(domain)).path("id").asText();
        String c = project(uniq("c"), "\"domain_id\": \"%s\", \"tags\": [\"c\"]".formatted(domain)).path("id").asText();
        String none = project(uniq("none"), "\"domain_id\": \"%s\"".formatted(domain)).path("id").asText();
        String q = "/v3/projects?domain_id=" + domain + "&";

        assertThat(texts(admin.get(q + "tags=a,b").json().path("projects"), "id")).containsExactly(ab);
        assertThat(texts(admin.get(q + "tags=a").json().path("projects"), "id")).containsExactlyInAnyOrder(ab, a);
        assertThat(texts(admin.get(q + "tags-any=b,c").json().path("projects"), "id")).containsExactlyInAnyOrder(ab, c);
        assertThat(texts(admin.get(q + "not-tags=a,b").json().path("projects"), "id")).containsExactlyInAnyOrder(a, c, none);
        assertThat(texts(admin.get(q + "not-tags-any=a,c").json().path("projects"), "id")).containsExactly(none);
        assertThat(texts(admin.get(q + "tags=a&not-tags-any=b").json().path("projects"), "id")).containsExactly(a);
    }
}
