package org.nubes.identity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;
import org.nubes.identity.service.Tokens;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Ids;
import org.nubes.identity.store.Project;

/** /v3/projects and their tags. */
final class ProjectApi {
    private static final Set<String> KNOWN = Set.of("name", "domain_id", "parent_id", "description", "enabled",
            "tags", "is_domain", "options");
    private static final int MAX_TAGS = 80;

    private final IdentityStores stores;
    private final Tokens tokens;

    ProjectApi(IdentityStores stores, Tokens tokens) {
        this.stores = stores;
        this.tokens = tokens;
    }

    void register(Routes routes) {
        routes.get("/v3/projects", Access.rule("identity:list_projects"), this::list);
        routes.post("/v3/projects", Access.rule("identity:create_project"), this::create);
        routes.get("/v3/projects/{project_id}", Access.rule("identity:get_project"), this::show);
        routes.patch("/v3/projects/{project_id}", Access.rule("identity:update_project"), this::update);
        routes.delete("/v3/projects/{project_id}", Access.rule("identity:delete_project"), this::delete);
        routes.get("/v3/projects/{project_id}/tags", Access.rule("identity:list_project_tags"), this::listTags);
        routes.put("/v3/projects/{project_id}/tags", Access.rule("identity:update_project_tags"), this::replaceTags);
        routes.delete("/v3/projects/{project_id}/tags", Access.rule("identity:delete_project_tags"), this::clearTags);
        routes.get("/v3/projects/{project_id}/tags/{tag}", Access.rule("identity:get_project_tag"), this::checkTag);
        routes.head("/v3/projects/{project_id}/tags/{tag}", Access.rule("identity:get_project_tag"), this::checkTag);
        routes.put("/v3/projects/{project_id}/tags/{tag}", Access.rule("identity:create_project_tag"), this::addTag);
        routes.delete("/v3/projects/{project_id}/tags/{tag}", Access.rule("identity:delete_project_tag"), this::removeTag);
    }

    private void list(Context ctx) {
        String domain = Lists.domainLimit(ctx, "identity:list_projects");
        String base = Http.baseUrl(ctx);
        List<Project> projects = stores.projects().list().stream()
                .filter(p -> domain == null || p.domainId().equals(domain))
                .filter(p -> tagFilter(ctx, p.tags()))
                .toList();
        List<ObjectNode> rendered = projects.stream().map(p -> Views.project(base, p)).toList();
        Lists.answer(ctx, "projects", Filters.apply(ctx, rendered, Set.of("domain_id", "enabled", "name", "parent_id", "is_domain")));
    }

    /** tags (all of), tags-any, not-tags (not all of), not-tags-any (none of): comma-separated lists. */
    private static boolean tagFilter(Context ctx, List<String> tags) {
        List<String> all = csv(ctx.queryParam("tags"));
        List<String> any = csv(ctx.queryParam("tags-any"));
        List<String> notAll = csv(ctx.queryParam("not-tags"));
        List<String> notAny = csv(ctx.queryParam("not-tags-any"));
        return (all == null || tags.containsAll(all))
                && (any == null || any.stream().anyMatch(tags::contains))
                && (notAll == null || !tags.containsAll(notAll))
                && (notAny == null || notAny.stream().noneMatch(tags::contains));
    }

    private static List<String> csv(String value) {
        return value == null ? null : Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private void create(Context ctx) {
        ObjectNode body = Body.resource(ctx, "project");
        String name = Body.requiredString(body, "name", 64);
        if (Body.bool(body, "is_domain", false)) {
            throw Body.invalid("is_domain", "projects acting as domains are not supported; create a domain with POST /v3/domains");
        }
        String parentId = Body.optionalString(body, "parent_id", 64);
        String domainId = Body.optionalString(body, "domain_id", 64);
        Project parent = null;
        if (parentId != null && stores.domains().get(parentId).isEmpty()) {
            parent = stores.projects().get(parentId).orElseThrow(() -> Body.invalid("parent_id", "project " + parentId + " does not exist"));
        }
        if (domainId == null) {
            AuthContext caller = Http.caller(ctx);
            domainId = parent != null ? parent.domainId()
                    : parentId != null ? parentId
                    : caller.domainId() != null ? caller.domainId()
                    : caller.projectDomainId() != null ? caller.projectDomainId() : "default";
        }
        String domain = domainId;
        Http.enforce(ctx, "identity:create_project", Target.of("domain_id", domain));
        stores.domains().get(domain).orElseThrow(() -> Body.invalid("domain_id", "domain " + domain + " does not exist"));
        if (parent != null && !parent.domainId().equals(domain)) {
            throw ApiException.badRequest("Cannot create project, the parent (%s) is in a different domain.", parent.id());
        }
        // as in Keystone, the whole branch above a new project must be enabled
        Project above = parent;
        while (above != null) {
            if (!above.enabled()) {
                throw ApiException.badRequest("Cannot create a project in a branch containing a disabled project: %s.", above.id());
            }
            above = above.parentId() == null ? null : stores.projects().get(above.parentId()).orElse(null);
        }
        Project project = new Project(Ids.newId(), name, domain, parent == null ? null : parent.id(),
                Body.optionalString(body, "description", 65535), Body.bool(body, "enabled", true),
                tags(body.get("tags")), Body.extra(body, KNOWN));
        stores.projects().create(project);
        Http.json(ctx, 201, wrap(Http.baseUrl(ctx), project));
    }

    /** With subtree_as_ids/subtree_as_list/parents_as_ids/parents_as_list, as `project show --children` asks. */
    private void show(Context ctx) {
        Project project = readable(ctx, "identity:get_project");
        String base = Http.baseUrl(ctx);
        ObjectNode body = wrap(base, project);
        ObjectNode rendered = (ObjectNode) body.get("project");
        var query = ctx.queryParamMap();
        if (query.containsKey("subtree_as_ids")) {
            rendered.set("subtree", idTree(project.id()));
        } else if (query.containsKey("subtree_as_list")) {
            var list = rendered.putArray("subtree");
            stores.projects().subtree(project.id()).forEach(p -> list.add(Views.wrap("project", Views.project(base, p))));
        }
        List<Project> parents = parents(project);
        if (query.containsKey("parents_as_ids")) {
            ObjectNode ids = null;
            for (Project parent : parents.reversed()) {
                ObjectNode level = Json.object();
                level.set(parent.id(), ids);
                ids = level;
            }
            rendered.set("parents", ids);
        } else if (query.containsKey("parents_as_list")) {
            var list = rendered.putArray("parents");
            parents.forEach(p -> list.add(Views.wrap("project", Views.project(base, p))));
        }
        Http.json(ctx, body);
    }

    /** {child: {grandchild: null}}: Keystone's nested ids, null for a leaf. */
    private ObjectNode idTree(String id) {
        List<Project> children = stores.projects().children(id);
        if (children.isEmpty()) {
            return null;
        }
        ObjectNode tree = Json.object();
        children.forEach(child -> tree.set(child.id(), idTree(child.id())));
        return tree;
    }

    /** The ancestors of a project, nearest first. */
    private List<Project> parents(Project project) {
        List<Project> parents = new ArrayList<>();
        String parentId = project.parentId();
        while (parentId != null) {
            Project parent = stores.projects().get(parentId).orElse(null);
            if (parent == null) {
                break;
            }
            parents.add(parent);
            parentId = parent.parentId();
        }
        return parents;
    }

    private void update(Context ctx) {
        Project project = writable(ctx, "identity:update_project");
        ObjectNode body = Body.resource(ctx, "project");
        unchanged(body, "domain_id", project.domainId());
        unchanged(body, "parent_id", project.parentId() == null ? project.domainId() : project.parentId());
        if (Body.bool(body, "is_domain", false)) {
            throw Body.invalid("is_domain", "'is_domain' of a project cannot be changed");
        }
        String name = body.has("name") ? Body.requiredString(body, "name", 64) : project.name();
        boolean enabled = Body.bool(body, "enabled", project.enabled());
        String description = body.has("description") ? Body.optionalString(body, "description", 65535) : project.description();
        List<String> tags = body.has("tags") ? tags(body.get("tags")) : project.tags();
        Project updated = new Project(project.id(), name, project.domainId(), project.parentId(), description, enabled,
                tags, Body.mergeExtra(project.extra(), body, KNOWN));
        stores.projects().update(updated);
        if (project.enabled() && !enabled) {
            tokens.revokeProject(project.id());
        }
        Http.json(ctx, wrap(Http.baseUrl(ctx), updated));
    }

    private void delete(Context ctx) {
        Project project = writable(ctx, "identity:delete_project");
        if (!stores.projects().children(project.id()).isEmpty()) {
            throw ApiException.forbidden("Cannot delete project %s: it has child projects; delete them first.", project.id());
        }
        stores.projects().delete(project.id());
        tokens.revokeProject(project.id());
        Http.noContent(ctx);
    }

    private void listTags(Context ctx) {
        Project project = readable(ctx, "identity:list_project_tags");
        ObjectNode body = Json.object();
        var list = body.putArray("tags");
        project.tags().forEach(list::add);
        Http.json(ctx, body);
    }

    private void replaceTags(Context ctx) {
        Project project = writable(ctx, "identity:update_project_tags");
        List<String> tags = tags(Http.jsonBody(ctx).get("tags"));
        stores.projects().update(withTags(project, tags));
        ObjectNode body = Json.object();
        var list = body.putArray("tags");
        tags.forEach(list::add);
        Http.json(ctx, body);
    }

    private void clearTags(Context ctx) {
        Project project = writable(ctx, "identity:delete_project_tags");
        stores.projects().update(withTags(project, List.of()));
        Http.noContent(ctx);
    }

    private void checkTag(Context ctx) {
        Project project = readable(ctx, "identity:get_project_tag");
        if (!project.tags().contains(ctx.pathParam("tag"))) {
            throw ApiException.notFound("Tag %s not found for project %s.", ctx.pathParam("tag"), project.id());
        }
        Http.noContent(ctx);
    }

    private void addTag(Context ctx) {
        Project project = writable(ctx, "identity:create_project_tag");
        String tag = validTag(ctx.pathParam("tag"));
        Set<String> tags = new LinkedHashSet<>(project.tags());
        tags.add(tag);
        if (tags.size() > MAX_TAGS) {
            throw ApiException.badRequest("A project can have at most %d tags.", MAX_TAGS);
        }
        stores.projects().update(withTags(project, new ArrayList<>(tags)));
        ctx.header("Location", Http.baseUrl(ctx) + "/v3/projects/" + project.id() + "/tags/" + tag);
        ctx.status(201);
    }

    private void removeTag(Context ctx) {
        Project project = writable(ctx, "identity:delete_project_tag");
        String tag = ctx.pathParam("tag");
        if (!project.tags().contains(tag)) {
            throw ApiException.notFound("Tag %s not found for project %s.", tag, project.id());
        }
        stores.projects().update(withTags(project, project.tags().stream().filter(t -> !t.equals(tag)).toList()));
        Http.noContent(ctx);
    }

    /** Keystone refuses to move a project: the attribute may only repeat its current value. */
    private static void unchanged(ObjectNode body, String field, String current) {
        String asked = Body.optionalString(body, field, 64);
        if (asked != null && !asked.equals(current)) {
            throw Body.invalid(field, "'" + field + "' of a project cannot be changed");
        }
    }

    private Project writable(Context ctx, String rule) {
        Project project = find(ctx.pathParam("project_id"));
        Http.enforce(ctx, rule, Target.of("domain_id", project.domainId()));
        return project;
    }

    private Project readable(Context ctx, String rule) {
        Project project = find(ctx.pathParam("project_id"));
        Http.enforce(ctx, rule, Target.of("project_id", project.id(), "domain_id", project.domainId()));
        return project;
    }

    private Project find(String id) {
        return stores.projects().get(id).orElseThrow(() -> ApiException.notFound("Could not find project: %s.", id));
    }

    private static Project withTags(Project p, List<String> tags) {
        return new Project(p.id(), p.name(), p.domainId(), p.parentId(), p.description(), p.enabled(), tags, p.extra());
    }

    private static List<String> tags(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw Body.invalid("tags", node + " is not of type 'array'");
        }
        Set<String> tags = new LinkedHashSet<>();
        for (JsonNode tag : node) {
            if (!tag.isTextual()) {
                throw Body.invalid("tags", tag + " is not of type 'string'");
            }
            tags.add(validTag(tag.asText()));
        }
        if (tags.size() > MAX_TAGS) {
            throw Body.invalid("tags", "at most " + MAX_TAGS + " tags are allowed");
        }
        return new ArrayList<>(tags);
    }

    /** Keystone's tag rules: 1-255 characters, no '/' and no ','. */
    private static String validTag(String tag) {
        if (tag.isEmpty() || tag.length() > 255 || tag.contains("/") || tag.contains(",")) {
            throw Body.invalid("tags", "'" + tag + "' is not a valid tag: 1 to 255 characters without '/' or ','");
        }
        return tag;
    }

    private static ObjectNode wrap(String base, Project project) {
        return Views.wrap("project", Views.project(base, project));
    }
}
