package org.nubes.identity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

public record Group(String id, String name, String domainId, String description, ObjectNode extra) {}
