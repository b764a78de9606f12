package org.nubes.identity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

public record Region(String id, String description, String parentRegionId, ObjectNode extra) {}
