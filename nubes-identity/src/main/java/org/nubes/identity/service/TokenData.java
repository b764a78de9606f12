package org.nubes.identity.service;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.nubes.core.auth.AuthContext;
import org.nubes.identity.store.ApplicationCredential;
import org.nubes.identity.store.Domain;
import org.nubes.identity.store.Project;
import org.nubes.identity.store.Role;
import org.nubes.identity.store.User;
import org.nubes.identity.token.Scope;
import org.nubes.identity.token.TokenPayload;

/**
 * A valid token with everything it stands for resolved: the user and their domain, the scope's
 * project or domain, the effective roles and, for application credentials, the credential.
 */
public record TokenData(
        String id,
        TokenPayload payload,
        Instant issuedAt,
        User user,
        Domain userDomain,
        Project project,
        Domain scopeDomain,
        List<Role> roles,
        ApplicationCredential applicationCredential,
        long generation) {

    public boolean isSystem() {
        return payload.scope() instanceof Scope.System;
    }

    public boolean isUnscoped() {
        return payload.scope() instanceof Scope.Unscoped;
    }

    public Instant expiresAt() {
        return payload.expiresAt();
    }

    public AuthContext context() {
        AuthContext.Scope scope = switch (payload.scope()) {
            case Scope.Unscoped u -> new AuthContext.Scope.Unscoped();
            case Scope.Project p -> new AuthContext.Scope.Project(named(project.id(), project.name()),
                    named(scopeDomain.id(), scopeDomain.name()));
            case Scope.Domain d -> new AuthContext.Scope.Domain(named(scopeDomain.id(), scopeDomain.name()));
            case Scope.System s -> new AuthContext.Scope.System();
        };
        Set<String> roleNames = Set.copyOf(roles.stream().map(Role::name).toList());
        return new AuthContext(id, named(user.id(), user.name()), named(userDomain.id(), userDomain.name()),
                scope, roleNames, payload.expiresAt(), payload.auditIds(),
                applicationCredential == null ? null : applicationCredential.id());
    }

    private static AuthContext.Named named(String id, String name) {
        return new AuthContext.Named(id, name);
    }
}
