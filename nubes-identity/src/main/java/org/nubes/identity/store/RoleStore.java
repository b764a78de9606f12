package org.nubes.identity.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

public final class RoleStore {
    private final Jdbi jdbi;
    private final Changes changes;

    public RoleStore(Jdbi jdbi, Changes changes) {
        this.jdbi = jdbi;
        this.changes = changes;
    }

    public Role create(Role r) {
        Rows.unique(() -> jdbi.withHandle(h -> h.createUpdate(
                        "INSERT INTO roles (id, name, domain_id, description, extra) VALUES (:id, :name, :domain_id, :description, :extra)")
                .bind("id", r.id()).bind("name", r.name()).bind("domain_id", r.domainId() == null ? "" : r.domainId())
                .bind("description", r.description()).bind("extra", Rows.extra(r.extra())).execute()),
                "Conflict occurred attempting to store role - Duplicate entry found with name " + r.name() + ".");
        changes.changed();
        return r;
    }

    public void update(Role r) {
        Rows.unique(() -> jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE roles SET name = :name, description = :description, extra = :extra WHERE id = :id")
                .bind("id", r.id()).bind("name", r.name()).bind("description", r.description())
                .bind("extra", Rows.extra(r.extra())).execute()),
                "Conflict occurred attempting to update role - Duplicate entry found with name " + r.name() + ".");
        changes.changed();
    }

    public void delete(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM roles WHERE id = :id").bind("id", id).execute());
        changes.changed();
    }

    public Optional<Role> get(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM roles WHERE id = :id")
                .bind("id", id).map((rs, c) -> map(rs)).findOne());
    }

    public Optional<Role> byName(String name, String domainId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM roles WHERE name = :name AND domain_id = :domain")
                .bind("name", name).bind("domain", domainId == null ? "" : domainId).map((rs, c) -> map(rs)).findOne());
    }

    public List<Role> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM roles ORDER BY name").map((rs, c) -> map(rs)).list());
    }

    public void imply(String priorId, String impliedId) {
        jdbi.useHandle(h -> h.createUpdate(
                        "INSERT INTO implied_roles (prior_role_id, implied_role_id) VALUES (:p, :i) ON CONFLICT DO NOTHING")
                .bind("p", priorId).bind("i", impliedId).execute());
        changes.changed();
    }

    public boolean removeImplication(String priorId, String impliedId) {
        int removed = jdbi.withHandle(h -> h.createUpdate(
                        "DELETE FROM implied_roles WHERE prior_role_id = :p AND implied_role_id = :i")
                .bind("p", priorId).bind("i", impliedId).execute());
        changes.changed();
        return removed > 0;
    }

    /** Every (prior, implied) pair. */
    public List<Map.Entry<String, String>> implications() {
        return jdbi.withHandle(h -> h.createQuery("SELECT prior_role_id, implied_role_id FROM implied_roles")
                .map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2))).list());
    }

    private static Role map(ResultSet rs) throws SQLException {
        String domain = rs.getString("domain_id");
        return new Role(rs.getString("id"), rs.getString("name"), domain.isEmpty() ? null : domain,
                rs.getString("description"), Rows.extra(rs));
    }
}
