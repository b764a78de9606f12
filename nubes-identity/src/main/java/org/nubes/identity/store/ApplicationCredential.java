package org.nubes.identity.store;

import java.time.Instant;
import java.util.List;

public record ApplicationCredential(String id, String name, String userId, String projectId, String secretHash,
                                    String description, Instant expiresAt, boolean unrestricted,
                                    Instant createdAt, List<String> roleIds) {
    public boolean isExpired(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}
