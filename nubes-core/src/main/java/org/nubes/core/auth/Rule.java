package org.nubes.core.auth;

import java.util.Objects;

/**
 * A policy check in the spirit of oslo.policy: a predicate over the caller and the target. The
 * building blocks mirror the ones Keystone's default rules are written in.
 */
@FunctionalInterface
public interface Rule {
    boolean allows(AuthContext caller, Target target);

    default Rule or(Rule other) {
        return (c, t) -> allows(c, t) || other.allows(c, t);
    }

    default Rule and(Rule other) {
        return (c, t) -> allows(c, t) && other.allows(c, t);
    }

    /** Any valid token. */
    Rule ANYONE = (c, t) -> true;

    /** {@code role:admin}: Keystone's admin_required. */
    Rule ADMIN = (c, t) -> c.isAdmin();

    /** {@code role:service}. */
    Rule SERVICE = (c, t) -> c.hasRole("service");

    static Rule role(String role) {
        return (c, t) -> c.hasRole(role);
    }

    /** {@code role:<role> and system_scope:all}. */
    static Rule system(String role) {
        return (c, t) -> c.isSystem() && c.hasRole(role);
    }

    /** {@code role:<role> and domain_id:%(target.<attribute>)s} for a domain-scoped token. */
    static Rule domain(String role, String attribute) {
        return (c, t) -> c.hasRole(role) && c.domainId() != null && c.domainId().equals(t.get(attribute));
    }

    /** {@code role:<role> and project_id:%(target.<attribute>)s} for a project-scoped token. */
    static Rule project(String role, String attribute) {
        return (c, t) -> c.hasRole(role) && c.projectId() != null && c.projectId().equals(t.get(attribute));
    }

    /** {@code user_id:%(target.<attribute>)s}: the caller owns the target. */
    static Rule owner(String attribute) {
        return (c, t) -> Objects.equals(c.userId(), t.get(attribute));
    }
}
