package org.nubes.identity.store;

/** A role granted to a user or group on a project, a domain or the system. */
public record Assignment(Actor actor, String actorId, Scope scope, String targetId, String roleId, boolean inherited) {
    public enum Actor { USER, GROUP }

    public enum Scope { PROJECT, DOMAIN, SYSTEM }

    /** The system target id, as Keystone stores it. */
    public static final String SYSTEM_ALL = "system";

    String kind() {
        return (actor == Actor.USER ? "User" : "Group")
                + switch (scope) {
                    case PROJECT -> "Project";
                    case DOMAIN -> "Domain";
                    case SYSTEM -> "System";
                };
    }

    static Assignment fromKind(String kind, String actorId, String targetId, String roleId, boolean inherited) {
        Actor actor = kind.startsWith("User") ? Actor.USER : Actor.GROUP;
        Scope scope = kind.endsWith("Project") ? Scope.PROJECT : kind.endsWith("Domain") ? Scope.DOMAIN : Scope.SYSTEM;
        return new Assignment(actor, actorId, scope, targetId, roleId, inherited);
    }
}
