package org.nubes.identity.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.nubes.core.json.Json;
import org.nubes.identity.store.ApplicationCredential;
import org.nubes.identity.store.CatalogService;
import org.nubes.identity.store.Credential;
import org.nubes.identity.store.Domain;
import org.nubes.identity.store.Endpoint;
import org.nubes.identity.store.Group;
import org.nubes.identity.store.Project;
import org.nubes.identity.store.Region;
import org.nubes.identity.store.Role;
import org.nubes.identity.store.User;

/** Keystone's JSON for each identity resource. {@code base} is scheme://host:port of the request. */
final class Views {
    /** Keystone writes times with microseconds and a Z: 2015-08-27T09:49:58.000000Z. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Views() {}

    static String time(Instant instant) {
        return instant == null ? null : TIME.format(instant);
    }

    /** Keystone's single-resource answer: {"user": {...}}. */
    static ObjectNode wrap(String key, ObjectNode resource) {
        ObjectNode body = Json.object();
        body.set(key, resource);
        return body;
    }

    static ObjectNode links(String self) {
        ObjectNode links = Json.object();
        links.put("self", self);
        return links;
    }

    static ObjectNode listLinks(String self) {
        ObjectNode links = links(self);
        links.putNull("previous");
        links.putNull("next");
        return links;
    }

    static ObjectNode domain(String base, Domain d) {
        ObjectNode n = d.extra().deepCopy();
        n.put("id", d.id()).put("name", d.name()).put("description", d.description() == null ? "" : d.description())
                .put("enabled", d.enabled());
        n.putArray("tags");
        n.putObject("options");
        n.set("links", links(base + "/v3/domains/" + d.id()));
        return n;
    }

    static ObjectNode project(String base, Project p) {
        ObjectNode n = p.extra().deepCopy();
        n.put("id", p.id()).put("name", p.name()).put("domain_id", p.domainId())
                .put("description", p.description() == null ? "" : p.description())
                .put("enabled", p.enabled())
                .put("parent_id", p.parentId() == null ? p.domainId() : p.parentId())
                .put("is_domain", false);
        var tags = n.putArray("tags");
        p.tags().forEach(tags::add);
        n.putObject("options");
        n.set("links", links(base + "/v3/projects/" + p.id()));
        return n;
    }

    static ObjectNode user(String base, User u) {
        ObjectNode n = u.extra().deepCopy();
        n.put("id", u.id()).put("name", u.name()).put("domain_id", u.domainId()).put("enabled", u.enabled());
        if (u.defaultProjectId() != null) {
            n.put("default_project_id", u.defaultProjectId());
        }
        n.putNull("password_expires_at");
        n.putObject("options");
        n.set("links", links(base + "/v3/users/" + u.id()));
        return n;
    }

    static ObjectNode group(String base, Group g) {
        ObjectNode n = g.extra().deepCopy();
        n.put("id", g.id()).put("name", g.name()).put("domain_id", g.domainId())
                .put("description", g.description() == null ? "" : g.description());
        n.set("links", links(base + "/v3/groups/" + g.id()));
        return n;
    }

    static ObjectNode role(String base, Role r) {
        ObjectNode n = r.extra().deepCopy();
        n.put("id", r.id()).put("name", r.name()).put("domain_id", r.domainId()).put("description", r.description());
        n.putObject("options");
        n.set("links", links(base + "/v3/roles/" + r.id()));
        return n;
    }

    /** The short form of a role inside tokens, assignments and application credentials. */
    static ObjectNode roleRef(Role r) {
        ObjectNode n = Json.object();
        n.put("id", r.id()).put("name", r.name());
        if (r.domainId() != null) {
            n.put("domain_id", r.domainId());
        }
        return n;
    }

    static ObjectNode region(String base, Region r) {
        ObjectNode n = r.extra().deepCopy();
        n.put("id", r.id()).put("description", r.description()).put("parent_region_id", r.parentRegionId());
        n.set("links", links(base + "/v3/regions/" + r.id()));
        return n;
    }

    static ObjectNode service(String base, CatalogService s) {
        ObjectNode n = s.extra().deepCopy();
        n.put("id", s.id()).put("type", s.type()).put("enabled", s.enabled());
        n.set("links", links(base + "/v3/services/" + s.id()));
        return n;
    }

    static ObjectNode endpoint(String base, Endpoint e) {
        ObjectNode n = e.extra().deepCopy();
        n.put("id", e.id()).put("service_id", e.serviceId()).put("interface", e.interfaceName())
                .put("region_id", e.regionId()).put("region", e.regionId()).put("url", e.url())
                .put("enabled", e.enabled());
        n.set("links", links(base + "/v3/endpoints/" + e.id()));
        return n;
    }

    static ObjectNode applicationCredential(String base, ApplicationCredential a, java.util.List<Role> roles) {
        ObjectNode n = Json.object();
        n.put("id", a.id()).put("name", a.name()).put("description", a.description())
                .put("user_id", a.userId()).put("project_id", a.projectId())
                .put("expires_at", time(a.expiresAt())).put("unrestricted", a.unrestricted());
        var roleArray = n.putArray("roles");
        roles.forEach(r -> roleArray.add(roleRef(r)));
        n.putArray("access_rules");
        n.set("links", links(base + "/v3/users/" + a.userId() + "/application_credentials/" + a.id()));
        return n;
    }

    static ObjectNode credential(String base, Credential c) {
        ObjectNode n = c.extra().deepCopy();
        n.put("id", c.id()).put("user_id", c.userId()).put("project_id", c.projectId())
                .put("type", c.type()).put("blob", c.blob());
        n.set("links", links(base + "/v3/credentials/" + c.id()));
        return n;
    }
}
