package org.nubes.identity.store;

import java.util.List;
import org.jdbi.v3.core.Jdbi;

public final class AssignmentStore {
    private final Jdbi jdbi;
    private final Changes changes;

    public AssignmentStore(Jdbi jdbi, Changes changes) {
        this.jdbi = jdbi;
        this.changes = changes;
    }

    public void grant(Assignment a) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO assignments (kind, actor_id, target_id, role_id, inherited)
                        VALUES (:kind, :actor, :target, :role, :inherited) ON CONFLICT DO NOTHING""")
                .bind("kind", a.kind()).bind("actor", a.actorId()).bind("target", a.targetId())
                .bind("role", a.roleId()).bind("inherited", a.inherited()).execute());
        changes.changed();
    }

    public boolean revoke(Assignment a) {
        int removed = jdbi.withHandle(h -> h.createUpdate("""
                        DELETE FROM assignments WHERE kind = :kind AND actor_id = :actor AND target_id = :target
                        AND role_id = :role AND inherited = :inherited""")
                .bind("kind", a.kind()).bind("actor", a.actorId()).bind("target", a.targetId())
                .bind("role", a.roleId()).bind("inherited", a.inherited()).execute());
        changes.changed();
        return removed > 0;
    }

    public boolean exists(Assignment a) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COUNT(*) FROM assignments WHERE kind = :kind AND actor_id = :actor AND target_id = :target
                        AND role_id = :role AND inherited = :inherited""")
                .bind("kind", a.kind()).bind("actor", a.actorId()).bind("target", a.targetId())
                .bind("role", a.roleId()).bind("inherited", a.inherited()).mapTo(Long.class).one()) > 0;
    }

    public List<Assignment> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM assignments ORDER BY kind, actor_id, target_id, role_id")
                .map((rs, c) -> Assignment.fromKind(rs.getString("kind"), rs.getString("actor_id"),
                        rs.getString("target_id"), rs.getString("role_id"), rs.getBoolean("inherited")))
                .list());
    }

    /** The assignments of some actors (a user and the groups it belongs to). */
    public List<Assignment> ofActors(List<String> actorIds) {
        if (actorIds.isEmpty()) {
            return List.of();
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM assignments WHERE actor_id IN (<actors>)")
                .bindList("actors", actorIds)
                .map((rs, c) -> Assignment.fromKind(rs.getString("kind"), rs.getString("actor_id"),
                        rs.getString("target_id"), rs.getString("role_id"), rs.getBoolean("inherited")))
                .list());
    }
}
