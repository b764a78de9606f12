package org.nubes.identity.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.List;
import org.nubes.core.json.Json;
import org.nubes.identity.service.Directory;
import org.nubes.identity.service.Snapshot;
import org.nubes.identity.service.TokenData;
import org.nubes.identity.store.CatalogService;
import org.nubes.identity.store.Endpoint;
import org.nubes.identity.store.Role;
import org.nubes.identity.token.Scope;

/**
 * Keystone's token body, and the service catalog. Rendered bodies are cached per token until
 * identity data changes: validation is the hottest call of the cloud.
 */
final class TokenView {
    private record Rendered(long generation, byte[] body) {}

    private record RenderedCatalog(long generation, ArrayNode catalog) {}

    private final Directory directory;
    private final Cache<String, Rendered> bodies = Caffeine.newBuilder().maximumSize(10_000).build();
    private volatile RenderedCatalog catalog;

    TokenView(Directory directory) {
        this.directory = directory;
    }

    /** A token body rendered now, for the answer to an issue: most issued tokens are never validated here. */
    byte[] fresh(TokenData token, boolean withCatalog) {
        ObjectNode body = Json.object();
        body.set("token", render(token, withCatalog));
        return Json.bytes(body);
    }

    /** A token body for validation, cached per token until identity data changes. */
    byte[] body(TokenData token, boolean withCatalog) {
        String key = withCatalog ? token.id() : "nocatalog:" + token.id();
        Rendered rendered = bodies.getIfPresent(key);
        if (rendered == null || rendered.generation() != token.generation()) {
            ObjectNode body = Json.object();
            body.set("token", render(token, withCatalog));
            rendered = new Rendered(token.generation(), Json.bytes(body));
            bodies.put(key, rendered);
        }
        return rendered.body();
    }

    ObjectNode render(TokenData t, boolean withCatalog) {
        ObjectNode n = Json.object();
        ArrayNode methods = n.putArray("methods");
        t.payload().methods().forEach(methods::add);
        ObjectNode user = n.putObject("user");
        user.putObject("domain").put("id", t.userDomain().id()).put("name", t.userDomain().name());
        user.put("id", t.user().id()).put("name", t.user().name()).putNull("password_expires_at");
        ArrayNode audit = n.putArray("audit_ids");
        t.payload().auditIds().forEach(audit::add);
        n.put("expires_at", Views.time(t.expiresAt()));
        n.put("issued_at", Views.time(t.issuedAt()));
        switch (t.payload().scope()) {
            case Scope.Project p -> {
                ObjectNode project = n.putObject("project");
                project.putObject("domain").put("id", t.scopeDomain().id()).put("name", t.scopeDomain().name());
                project.put("id", t.project().id()).put("name", t.project().name());
                n.put("is_domain", false);
            }
            case Scope.Domain d -> n.putObject("domain").put("id", t.scopeDomain().id()).put("name", t.scopeDomain().name());
            case Scope.System s -> n.putObject("system").put("all", true);
            case Scope.Unscoped u -> { }
        }
        if (!t.isUnscoped()) {
            ArrayNode roles = n.putArray("roles");
            for (Role role : t.roles()) {
                roles.add(Views.roleRef(role));
            }
            if (withCatalog) {
                n.set("catalog", catalog(t.project() == null ? null : t.project().id(), t.user().id()));
            }
        }
        if (t.applicationCredential() != null) {
            n.putObject("application_credential").put("id", t.applicationCredential().id())
                    .put("name", t.applicationCredential().name())
                    .put("restricted", !t.applicationCredential().unrestricted());
        }
        return n;
    }

    /**
     * The catalog as one token sees it: Keystone's URL templates ($(project_id)s, $(tenant_id)s,
     * $(user_id)s, as Swift's endpoint uses) filled in from the token, and an endpoint whose
     * template the token cannot fill (no project) left out, as Keystone does.
     */
    ArrayNode catalog(String projectId, String userId) {
        ArrayNode generic = catalog();
        if (!generic.toString().contains("$(")) {
            return generic;
        }
        ArrayNode out = generic.deepCopy();
        for (var service : out) {
            var endpoints = (ArrayNode) service.path("endpoints");
            for (int i = endpoints.size() - 1; i >= 0; i--) {
                ObjectNode endpoint = (ObjectNode) endpoints.get(i);
                String url = fill(endpoint.path("url").asText(), projectId, userId);
                if (url == null) {
                    endpoints.remove(i);
                } else {
                    endpoint.put("url", url);
                }
            }
        }
        return out;
    }

    /** The URL with its templates filled in, or null when one cannot be. */
    static String fill(String url, String projectId, String userId) {
        String filled = url.replace("$(user_id)s", userId);
        if (projectId != null) {
            filled = filled.replace("$(project_id)s", projectId).replace("$(tenant_id)s", projectId);
        }
        return filled.contains("$(") ? null : filled;
    }

    /** The catalog of enabled services with their enabled endpoints, URLs as stored. */
    ArrayNode catalog() {
        Snapshot snapshot = directory.current();
        RenderedCatalog cached = catalog;
        if (cached != null && cached.generation() == snapshot.generation()) {
            return cached.catalog();
        }
        ArrayNode out = Json.array();
        List<Endpoint> endpoints = snapshot.endpoints();
        for (CatalogService service : snapshot.services()) {
            if (!service.enabled()) {
                continue;
            }
            ObjectNode entry = out.addObject();
            ArrayNode list = entry.putArray("endpoints");
            for (Endpoint e : endpoints) {
                if (e.enabled() && e.serviceId().equals(service.id())) {
                    list.addObject().put("id", e.id()).put("interface", e.interfaceName())
                            .put("region_id", e.regionId()).put("url", e.url()).put("region", e.regionId());
                }
            }
            entry.put("id", service.id()).put("type", service.type()).put("name", service.name());
        }
        catalog = new RenderedCatalog(snapshot.generation(), out);
        return out;
    }
}
