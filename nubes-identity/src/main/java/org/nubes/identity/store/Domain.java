package org.nubes.identity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

public record Domain(String id, String name, String description, boolean enabled, ObjectNode extra) {}
