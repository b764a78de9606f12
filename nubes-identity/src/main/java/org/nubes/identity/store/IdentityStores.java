package org.nubes.identity.store;

import org.jdbi.v3.core.Jdbi;

/** Every identity store over one database, sharing one change counter. */
public record IdentityStores(
        Changes changes,
        DomainStore domains,
        ProjectStore projects,
        UserStore users,
        GroupStore groups,
        RoleStore roles,
        AssignmentStore assignments,
        CatalogStore catalog,
        CredentialStore credentials,
        RevocationStore revocations) {

    public static IdentityStores open(Jdbi jdbi) {
        Changes changes = new Changes();
        return new IdentityStores(changes,
                new DomainStore(jdbi, changes), new ProjectStore(jdbi, changes), new UserStore(jdbi, changes),
                new GroupStore(jdbi, changes), new RoleStore(jdbi, changes), new AssignmentStore(jdbi, changes),
                new CatalogStore(jdbi, changes), new CredentialStore(jdbi, changes), new RevocationStore(jdbi, changes));
    }
}
