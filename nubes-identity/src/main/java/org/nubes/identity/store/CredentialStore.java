package org.nubes.identity.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Application credentials and stored (EC2) credentials. */
public final class CredentialStore {
    private final Jdbi jdbi;
    private final Changes changes;

    public CredentialStore(Jdbi jdbi, Changes changes) {
        this.jdbi = jdbi;
        this.changes = changes;
    }

    public ApplicationCredential createApplicationCredential(ApplicationCredential a) {
        Rows.unique(() -> jdbi.inTransaction(h -> {
            h.createUpdate("""
                    INSERT INTO application_credentials (id, name, user_id, project_id, secret_hash, description, expires_at, unrestricted, created_at)
                    VALUES (:id, :name, :user, :project, :hash, :description, :expires, :unrestricted, :created)""")
                    .bind("id", a.id()).bind("name", a.name()).bind("user", a.userId()).bind("project", a.projectId())
                    .bind("hash", a.secretHash()).bind("description", a.description())
                    .bind("expires", Rows.timestamp(a.expiresAt())).bind("unrestricted", a.unrestricted())
                    .bind("created", Rows.timestamp(a.createdAt())).execute();
            for (String role : a.roleIds()) {
                h.createUpdate("INSERT INTO application_credential_roles (application_credential_id, role_id) VALUES (:id, :role)")
                        .bind("id", a.id()).bind("role", role).execute();
            }
            return null;
        }), "Conflict occurred attempting to store application_credential - Duplicate entry.");
        changes.changed();
        return a;
    }

    public void deleteApplicationCredential(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM application_credentials WHERE id = :id").bind("id", id).execute());
        changes.changed();
    }

    public Optional<ApplicationCredential> applicationCredential(String id) {
        return jdbi.withHandle(h -> appCreds(h, "WHERE id = :v", id)).stream().findFirst();
    }

    public List<ApplicationCredential> applicationCredentialsOf(String userId) {
        return jdbi.withHandle(h -> appCreds(h, "WHERE user_id = :v", userId));
    }

    public Credential createCredential(Credential c) {
        Rows.unique(() -> jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO credentials (id, user_id, project_id, type, blob, extra)
                        VALUES (:id, :user, :project, :type, :blob, :extra)""")
                .bind("id", c.id()).bind("user", c.userId()).bind("project", c.projectId()).bind("type", c.type())
                .bind("blob", c.blob()).bind("extra", Rows.extra(c.extra())).execute()),
                "Conflict occurred attempting to store credential - Duplicate ID, " + c.id() + ".");
        changes.changed();
        return c;
    }

    public void updateCredential(Credential c) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE credentials SET user_id = :user, project_id = :project, type = :type, blob = :blob, extra = :extra
                        WHERE id = :id""")
                .bind("id", c.id()).bind("user", c.userId()).bind("project", c.projectId()).bind("type", c.type())
                .bind("blob", c.blob()).bind("extra", Rows.extra(c.extra())).execute());
        changes.changed();
    }

    public void deleteCredential(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM credentials WHERE id = :id").bind("id", id).execute());
        changes.changed();
    }

    public Optional<Credential> credential(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM credentials WHERE id = :id").bind("id", id)
                .map((rs, c) -> credential(rs)).findOne());
    }

    public List<Credential> credentials() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM credentials ORDER BY id").map((rs, c) -> credential(rs)).list());
    }

    private static List<ApplicationCredential> appCreds(Handle h, String where, String value) {
        Map<String, List<String>> roles = new HashMap<>();
        // Only the roles of the credentials selected; the where clause names only their columns.
        h.createQuery("SELECT r.application_credential_id, r.role_id FROM application_credential_roles r"
                        + " JOIN application_credentials ON application_credentials.id = r.application_credential_id " + where)
                .bind("v", value)
                .map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> roles.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return h.createQuery("SELECT * FROM application_credentials " + where + " ORDER BY name").bind("v", value)
                .map((rs, c) -> new ApplicationCredential(rs.getString("id"), rs.getString("name"), rs.getString("user_id"),
                        rs.getString("project_id"), rs.getString("secret_hash"), rs.getString("description"),
                        Rows.instant(rs, "expires_at"), rs.getBoolean("unrestricted"), Rows.instant(rs, "created_at"),
                        roles.getOrDefault(rs.getString("id"), List.of())))
                .list();
    }

    private static Credential credential(ResultSet rs) throws SQLException {
        return new Credential(rs.getString("id"), rs.getString("user_id"), rs.getString("project_id"),
                rs.getString("type"), rs.getString("blob"), Rows.extra(rs));
    }
}
