package org.nubes.network.service;

import org.nubes.core.auth.AuthContext;

/** Who asks: the project the token is scoped to (null for other scopes) and whether they are admin. */
public record Caller(String projectId, boolean admin) {

    public static Caller of(AuthContext auth) {
        return new Caller(auth.projectId(), auth.isAdmin());
    }

    /** Whether the caller sees resources of the project as their own. */
    public boolean owns(String project) {
        return admin || (projectId != null && projectId.equals(project));
    }
}
