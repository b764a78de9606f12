package org.nubes.identity.token;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a Keystone Fernet token carries. Everything else (roles, catalog, names) is looked up again
 * on validation, which is what keeps the tokens small and lets revocation take effect at once.
 *
 * @param applicationCredentialId null unless the token came from an application credential, which
 *     Keystone only issues project-scoped
 */
public record TokenPayload(
        String userId,
        Set<String> methods,
        Scope scope,
        Instant expiresAt,
        List<String> auditIds,
        String applicationCredentialId) {

    public TokenPayload {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(expiresAt, "expiresAt");
        var ordered = new LinkedHashSet<String>(); // keeps the caller's order for responses
        for (String method : methods) {
            ordered.add(Objects.requireNonNull(method, "method"));
        }
        methods = Collections.unmodifiableSet(ordered);
        auditIds = List.copyOf(auditIds);
        if (applicationCredentialId != null && !(scope instanceof Scope.Project)) {
            throw new IllegalArgumentException("application credential tokens are project-scoped");
        }
    }
}
