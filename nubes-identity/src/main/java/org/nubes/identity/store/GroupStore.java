package org.nubes.identity.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

public final class GroupStore {
    private final Jdbi jdbi;
    private final Changes changes;

    public GroupStore(Jdbi jdbi, Changes changes) {
        this.jdbi = jdbi;
        this.changes = changes;
    }

    public Group create(Group g) {
        Rows.unique(() -> jdbi.withHandle(h -> h.createUpdate(
                        "INSERT INTO user_groups (id, name, domain_id, description, extra) VALUES (:id, :name, :domain_id, :description, :extra)")
                .bind("id", g.id()).bind("name", g.name()).bind("domain_id", g.domainId())
                .bind("description", g.description()).bind("extra", Rows.extra(g.extra())).execute()),
                "Conflict occurred attempting to store group - Duplicate entry found with name " + g.name() + ".");
        changes.changed();
        return g;
    }

    public void update(Group g) {
        Rows.unique(() -> jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE user_groups SET name = :name, description = :description, extra = :extra WHERE id = :id")
                .bind("id", g.id()).bind("name", g.name()).bind("description", g.description())
                .bind("extra", Rows.extra(g.extra())).execute()),
                "Conflict occurred attempting to update group - Duplicate entry found with name " + g.name() + ".");
        changes.changed();
    }

    public void delete(String id) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM assignments WHERE actor_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM user_groups WHERE id = :id").bind("id", id).execute();
        });
        changes.changed();
    }

    public Optional<Group> get(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM user_groups WHERE id = :id")
                .bind("id", id).map((rs, c) -> map(rs)).findOne());
    }

    public List<Group> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM user_groups ORDER BY name").map((rs, c) -> map(rs)).list());
    }

    public List<Group> ofUser(String userId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT g.* FROM user_groups g JOIN group_members m ON m.group_id = g.id WHERE m.user_id = :u ORDER BY g.name")
                .bind("u", userId).map((rs, c) -> map(rs)).list());
    }

    public void addMember(String groupId, String userId) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO group_members (group_id, user_id) VALUES (:g, :u) ON CONFLICT DO NOTHING""")
                .bind("g", groupId).bind("u", userId).execute());
        changes.changed();
    }

    public boolean removeMember(String groupId, String userId) {
        int removed = jdbi.withHandle(h -> h.createUpdate("DELETE FROM group_members WHERE group_id = :g AND user_id = :u")
                .bind("g", groupId).bind("u", userId).execute());
        changes.changed();
        return removed > 0;
    }

    public boolean isMember(String groupId, String userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM group_members WHERE group_id = :g AND user_id = :u")
                .bind("g", groupId).bind("u", userId).mapTo(Long.class).one()) > 0;
    }

    /** Every (group id, user id) membership. */
    public List<java.util.Map.Entry<String, String>> memberships() {
        return jdbi.withHandle(h -> h.createQuery("SELECT group_id, user_id FROM group_members")
                .map((rs, c) -> java.util.Map.entry(rs.getString(1), rs.getString(2))).list());
    }

    private static Group map(ResultSet rs) throws SQLException {
        return new Group(rs.getString("id"), rs.getString("name"), rs.getString("domain_id"),
                rs.getString("description"), Rows.extra(rs));
    }
}
