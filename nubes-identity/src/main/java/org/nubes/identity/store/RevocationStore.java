package org.nubes.identity.store;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

public final class RevocationStore {
    private final Jdbi jdbi;
    private final Changes changes;

    public RevocationStore(Jdbi jdbi, Changes changes) {
        this.jdbi = jdbi;
        this.changes = changes;
    }

    public void add(RevocationEvent e) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO revocation_events (id, user_id, project_id, domain_id, audit_id, issued_before, revoked_at)
                        VALUES (:id, :user, :project, :domain, :audit, :before, :now)""")
                .bind("id", Ids.newId()).bind("user", e.userId()).bind("project", e.projectId())
                .bind("domain", e.domainId()).bind("audit", e.auditId())
                .bind("before", Rows.timestamp(e.issuedBefore())).bind("now", Rows.timestamp(Instant.now())).execute());
        changes.changed();
    }

    public List<RevocationEvent> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM revocation_events")
                .map((rs, c) -> new RevocationEvent(rs.getString("user_id"), rs.getString("project_id"),
                        rs.getString("domain_id"), rs.getString("audit_id"), Rows.instant(rs, "issued_before")))
                .list());
    }

    /** Events older than any token that could still be validated are useless; drop them. */
    public void prune(Instant before) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM revocation_events WHERE issued_before < :before")
                .bind("before", Rows.timestamp(before)).execute());
    }
}
