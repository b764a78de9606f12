package org.nubes.identity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

public record Project(String id, String name, String domainId, String parentId, String description,
                      boolean enabled, List<String> tags, ObjectNode extra) {}
