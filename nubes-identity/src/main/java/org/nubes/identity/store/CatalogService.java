package org.nubes.identity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A catalog service entry; name and description live in extra, as in Keystone. */
public record CatalogService(String id, String type, boolean enabled, ObjectNode extra) {
    public String name() {
        return extra.path("name").asText("");
    }
}
