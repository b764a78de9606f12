package org.nubes.core.auth;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who is calling, as established from a validated token: the user, the scope the token carries and
 * the effective role names on that scope (implied roles included).
 */
public record AuthContext(
        String token,
        Named user,
        Named userDomain,
        Scope scope,
        Set<String> roles,
        Instant expiresAt,
        List<String> auditIds,
        String applicationCredentialId) {

    /** An id with its display name. */
    public record Named(String id, String name) {}

    /** What a token is scoped to. */
    public sealed interface Scope {
        record Unscoped() implements Scope {}

        record Project(Named project, Named domain) implements Scope {}

        record Domain(Named domain) implements Scope {}

        record System() implements Scope {}
    }

    public AuthContext {
        roles = Set.copyOf(roles);
        auditIds = List.copyOf(auditIds);
    }

    public String userId() {
        return user.id();
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    public boolean isAdmin() {
        return roles.contains("admin");
    }

    public boolean isSystem() {
        return scope instanceof Scope.System;
    }

    /** The project id the token is scoped to, or null. */
    public String projectId() {
        return scope instanceof Scope.Project p ? p.project().id() : null;
    }

    /** The domain id a domain-scoped token is scoped to, or null. */
    public String domainId() {
        return scope instanceof Scope.Domain d ? d.domain().id() : null;
    }

    /** The domain of the project a project-scoped token is scoped to, or null. */
    public String projectDomainId() {
        return scope instanceof Scope.Project p ? p.domain().id() : null;
    }
}
