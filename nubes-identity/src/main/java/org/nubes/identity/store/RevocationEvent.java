package org.nubes.identity.store;

import java.time.Instant;

/** Revokes every token that matches all its non-null fields and was issued at or before issuedBefore. */
public record RevocationEvent(String userId, String projectId, String domainId, String auditId,
                              Instant issuedBefore) {}
