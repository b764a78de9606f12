package org.nubes.identity.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

public final class DomainStore {
    private final Jdbi jdbi;
    private final Changes changes;

    public DomainStore(Jdbi jdbi, Changes changes) {
        this.jdbi = jdbi;
        this.changes = changes;
    }

    public Domain create(Domain d) {
        Rows.unique(() -> jdbi.withHandle(h -> h.createUpdate(
                        "INSERT INTO domains (id, name, description, enabled, extra) VALUES (:id, :name, :description, :enabled, :extra)")
                .bind("id", d.id()).bind("name", d.name()).bind("description", d.description())
                .bind("enabled", d.enabled()).bind("extra", Rows.extra(d.extra())).execute()),
                "Conflict occurred attempting to store domain - Duplicate entry found with name " + d.name() + ".");
        changes.changed();
        return d;
    }

    public void update(Domain d) {
        Rows.unique(() -> jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE domains SET name = :name, description = :description, enabled = :enabled, extra = :extra WHERE id = :id")
                .bind("id", d.id()).bind("name", d.name()).bind("description", d.description())
                .bind("enabled", d.enabled()).bind("extra", Rows.extra(d.extra())).execute()),
                "Conflict occurred attempting to update domain - Duplicate entry found with name " + d.name() + ".");
        changes.changed();
    }

    /** Deletes the domain and everything in it: projects, users, groups, domain roles and their grants. */
    public void delete(String id) {
        jdbi.useTransaction(h -> {
            for (String sql : new String[] {
                    "DELETE FROM assignments WHERE target_id = :id OR target_id IN (SELECT id FROM projects WHERE domain_id = :id)"
                            + " OR actor_id IN (SELECT id FROM users WHERE domain_id = :id)"
                            + " OR actor_id IN (SELECT id FROM user_groups WHERE domain_id = :id)",
                    "DELETE FROM projects WHERE domain_id = :id",
                    "DELETE FROM users WHERE domain_id = :id",
                    "DELETE FROM user_groups WHERE domain_id = :id",
                    "DELETE FROM roles WHERE domain_id = :id",
                    "DELETE FROM domains WHERE id = :id"}) {
                h.createUpdate(sql).bind("id", id).execute();
            }
        });
        changes.changed();
    }

    public Optional<Domain> get(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM domains WHERE id = :id")
                .bind("id", id).map((rs, c) -> map(rs)).findOne());
    }

    public Optional<Domain> byName(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM domains WHERE name = :name")
                .bind("name", name).map((rs, c) -> map(rs)).findOne());
    }

    public List<Domain> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM domains ORDER BY name").map((rs, c) -> map(rs)).list());
    }

    /** Whether anything still lives in the domain (Keystone refuses to delete such a domain only when enabled). */
    public boolean isEmpty(String id) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT (SELECT COUNT(*) FROM projects WHERE domain_id = :id)
                     + (SELECT COUNT(*) FROM users WHERE domain_id = :id)
                     + (SELECT COUNT(*) FROM user_groups WHERE domain_id = :id)""")
                .bind("id", id).mapTo(Long.class).one()) == 0;
    }

    private static Domain map(ResultSet rs) throws SQLException {
        return new Domain(rs.getString("id"), rs.getString("name"), rs.getString("description"),
                rs.getBoolean("enabled"), Rows.extra(rs));
    }
}
