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

public final class ProjectStore {
    private final Jdbi jdbi;
    private final Changes changes;

    public ProjectStore(Jdbi jdbi, Changes changes) {
        this.jdbi = jdbi;
        this.changes = changes;
    }

    public Project create(Project p) {
        Rows.unique(() -> jdbi.inTransaction(h -> {
            h.createUpdate("""
                    INSERT INTO projects (id, name, domain_id, parent_id, description, enabled, extra)
                    VALUES (:id, :name, :domain_id, :parent_id, :description, :enabled, :extra)""")
                    .bind("id", p.id()).bind("name", p.name()).bind("domain_id", p.domainId())
                    .bind("parent_id", p.parentId()).bind("description", p.description())
                    .bind("enabled", p.enabled()).bind("extra", Rows.extra(p.extra())).execute();
            writeTags(h, p);
            return null;
        }), "Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : " + p.name() + ".");
        changes.changed();
        return p;
    }

    public void update(Project p) {
        Rows.unique(() -> jdbi.inTransaction(h -> {
            h.createUpdate("""
                    UPDATE projects SET name = :name, description = :description, enabled = :enabled, extra = :extra
                    WHERE id = :id""")
                    .bind("id", p.id()).bind("name", p.name()).bind("description", p.description())
                    .bind("enabled", p.enabled()).bind("extra", Rows.extra(p.extra())).execute();
            h.createUpdate("DELETE FROM project_tags WHERE project_id = :id").bind("id", p.id()).execute();
            writeTags(h, p);
            return null;
        }), "Conflict occurred attempting to update project - it is not permitted to have two projects with the same name in the same domain : " + p.name() + ".");
        changes.changed();
    }

    public void delete(String id) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM assignments WHERE target_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM projects WHERE id = :id").bind("id", id).execute();
        });
        changes.changed();
    }

    public Optional<Project> get(String id) {
        return select("WHERE id = :id", Map.of("id", id)).stream().findFirst();
    }

    public Optional<Project> byName(String domainId, String name) {
        return select("WHERE domain_id = :domain AND name = :name", Map.of("domain", domainId, "name", name))
                .stream().findFirst();
    }

    public List<Project> list() {
        return select("", Map.of());
    }

    public List<Project> children(String parentId) {
        return select("WHERE parent_id = :parent", Map.of("parent", parentId));
    }

    /** Every project below the given one, depth first. */
    public List<Project> subtree(String id) {
        List<Project> all = list();
        Map<String, List<Project>> byParent = new HashMap<>();
        all.forEach(p -> { if (p.parentId() != null) byParent.computeIfAbsent(p.parentId(), k -> new ArrayList<>()).add(p); });
        List<Project> out = new ArrayList<>();
        collect(id, byParent, out);
        return out;
    }

    private static void collect(String id, Map<String, List<Project>> byParent, List<Project> out) {
        for (Project child : byParent.getOrDefault(id, List.of())) {
            out.add(child);
            collect(child.id(), byParent, out);
        }
    }

    private List<Project> select(String where, Map<String, Object> params) {
        return jdbi.withHandle(h -> {
            Map<String, List<String>> tags = new HashMap<>();
            // Only the tags of the projects selected; the where clause names only projects' columns.
            h.createQuery("SELECT project_tags.project_id, project_tags.tag FROM project_tags"
                            + " JOIN projects ON projects.id = project_tags.project_id " + where + " ORDER BY project_tags.tag")
                    .bindMap(params)
                    .map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> tags.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            return h.createQuery("SELECT * FROM projects " + where + " ORDER BY name").bindMap(params)
                    .map((rs, c) -> map(rs, tags)).list();
        });
    }

    private static void writeTags(Handle h, Project p) {
        for (String tag : p.tags()) {
            h.createUpdate("INSERT INTO project_tags (project_id, tag) VALUES (:id, :tag)")
                    .bind("id", p.id()).bind("tag", tag).execute();
        }
    }

    private static Project map(ResultSet rs, Map<String, List<String>> tags) throws SQLException {
        String id = rs.getString("id");
        return new Project(id, rs.getString("name"), rs.getString("domain_id"), rs.getString("parent_id"),
                rs.getString("description"), rs.getBoolean("enabled"), tags.getOrDefault(id, List.of()), Rows.extra(rs));
    }
}
