package org.nubes.identity.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

public final class UserStore {
    private final Jdbi jdbi;
    private final Changes changes;

    public UserStore(Jdbi jdbi, Changes changes) {
        this.jdbi = jdbi;
        this.changes = changes;
    }

    public User create(User u) {
        Rows.unique(() -> jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO users (id, name, domain_id, enabled, password_hash, password_changed_at, default_project_id, extra, created_at)
                        VALUES (:id, :name, :domain_id, :enabled, :hash, :changed, :default_project_id, :extra, :created)""")
                .bind("id", u.id()).bind("name", u.name()).bind("domain_id", u.domainId()).bind("enabled", u.enabled())
                .bind("hash", u.passwordHash()).bind("changed", Rows.timestamp(u.passwordChangedAt()))
                .bind("default_project_id", u.defaultProjectId()).bind("extra", Rows.extra(u.extra()))
                .bind("created", Rows.timestamp(u.createdAt())).execute()),
                "Conflict occurred attempting to store user - Duplicate entry found with name " + u.name() + " at domain ID " + u.domainId() + ".");
        changes.changed();
        return u;
    }

    public void update(User u) {
        Rows.unique(() -> jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE users SET name = :name, enabled = :enabled, password_hash = :hash, password_changed_at = :changed,
                        default_project_id = :default_project_id, extra = :extra WHERE id = :id""")
                .bind("id", u.id()).bind("name", u.name()).bind("enabled", u.enabled())
                .bind("hash", u.passwordHash()).bind("changed", Rows.timestamp(u.passwordChangedAt()))
                .bind("default_project_id", u.defaultProjectId()).bind("extra", Rows.extra(u.extra())).execute()),
                "Conflict occurred attempting to update user - Duplicate entry found with name " + u.name() + " at domain ID " + u.domainId() + ".");
        changes.changed();
    }

    public void delete(String id) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM assignments WHERE actor_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM users WHERE id = :id").bind("id", id).execute();
        });
        changes.changed();
    }

    public Optional<User> get(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM users WHERE id = :id")
                .bind("id", id).map((rs, c) -> map(rs)).findOne());
    }

    public Optional<User> byName(String domainId, String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM users WHERE domain_id = :domain AND name = :name")
                .bind("domain", domainId).bind("name", name).map((rs, c) -> map(rs)).findOne());
    }

    public List<User> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM users ORDER BY name").map((rs, c) -> map(rs)).list());
    }

    public List<User> inGroup(String groupId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT u.* FROM users u JOIN group_members m ON m.user_id = u.id WHERE m.group_id = :g ORDER BY u.name")
                .bind("g", groupId).map((rs, c) -> map(rs)).list());
    }

    private static User map(ResultSet rs) throws SQLException {
        return new User(rs.getString("id"), rs.getString("name"), rs.getString("domain_id"), rs.getBoolean("enabled"),
                rs.getString("password_hash"), Rows.instant(rs, "password_changed_at"), rs.getString("default_project_id"),
                Rows.extra(rs), Rows.instant(rs, "created_at"));
    }
}
