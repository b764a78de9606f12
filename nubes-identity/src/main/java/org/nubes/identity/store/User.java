package org.nubes.identity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

public record User(String id, String name, String domainId, boolean enabled, String passwordHash,
                   Instant passwordChangedAt, String defaultProjectId, ObjectNode extra, Instant createdAt) {}
