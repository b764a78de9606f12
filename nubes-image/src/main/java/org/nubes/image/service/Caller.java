package org.nubes.image.service;

import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Target;

/**
 * Who asks, and how to check a policy rule against an image for them. The API builds it from the
 * request, so the domain rules below can decide which rule applies without seeing HTTP.
 */
public record Caller(AuthContext auth, Enforcer enforcer) {
    /** Checks a named rule against a target: throws the 403 when it denies. */
    @FunctionalInterface
    public interface Enforcer {
        void enforce(String rule, Target target);
    }

    public String project() {
        return auth.projectId();
    }

    public boolean isAdmin() {
        return auth.isAdmin();
    }

    public void enforce(String rule, Target target) {
        enforcer.enforce(rule, target);
    }
}
