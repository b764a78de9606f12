package org.nubes.identity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A role; domainId is null for a global role. */
public record Role(String id, String name, String domainId, String description, ObjectNode extra) {}
