package org.nubes.identity.token;

import java.util.Objects;

/** What a token is scoped to. */
public sealed interface Scope permits Scope.Unscoped, Scope.Project, Scope.Domain, Scope.System {

    record Unscoped() implements Scope {}

    record Project(String projectId) implements Scope {
        public Project {
            Objects.requireNonNull(projectId, "projectId");
        }
    }

    record Domain(String domainId) implements Scope {
        public Domain {
            Objects.requireNonNull(domainId, "domainId");
        }
    }

    /** Keystone's only system scope is "all". Note: the name shadows java.lang.System where imported. */
    record System(String system) implements Scope {
        public static final System ALL = new System("all");

        public System {
            Objects.requireNonNull(system, "system");
        }
    }
}
