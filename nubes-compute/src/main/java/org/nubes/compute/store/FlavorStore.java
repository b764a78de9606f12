package org.nubes.compute.store;

import static org.nubes.core.db.Rows.instant;
import static org.nubes.core.db.Rows.timestamp;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.nubes.core.db.Rows;

/**
 * The flavors table with its extra specs and the projects a private flavor is shared with. Flavors
 * are few, so reads load them whole; writes that race (two creates of one name, two adds of one
 * project) are settled by the unique keys.
 */
public final class FlavorStore {
    /** A flavor as stored: with the integer id Nova sorts on and its times. */
    public record Row(long seq, Flavor flavor, Instant createdAt, Instant updatedAt) {}

    /** What an insert ran into. */
    public enum Insert { CREATED, DUPLICATE_ID, DUPLICATE_NAME }

    private final Jdbi jdbi;

    public FlavorStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Every flavor with its extra specs, in no particular order. */
    public List<Row> all() {
        return jdbi.withHandle(h -> {
            Map<String, Map<String, String>> specs = new HashMap<>();
            h.createQuery("SELECT flavor_id, spec_key, spec_value FROM flavor_extra_specs")
                    .map((rs, c) -> {
                        specs.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2), rs.getString(3));
                        return null;
                    }).list();
            return h.createQuery("SELECT * FROM flavors")
                    .map((rs, c) -> row(rs, specs.getOrDefault(rs.getString("id"), Map.of())))
                    .list();
        });
    }

    public Optional<Row> get(String id) {
        return jdbi.withHandle(h -> {
            Map<String, String> specs = extraSpecs(h, id);
            return h.createQuery("SELECT * FROM flavors WHERE id = :id").bind("id", id)
                    .map((rs, c) -> row(rs, specs)).findOne();
        });
    }

    public boolean isEmpty() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM flavors").mapTo(Long.class).one() == 0);
    }

    /** Inserts a flavor and its extra specs; a taken id or name changes nothing. */
    public Insert insert(Flavor f, Instant now) {
        try {
            jdbi.useTransaction(h -> insert(h, f, now));
            return Insert.CREATED;
        } catch (UnableToExecuteStatementException e) {
            if (!Rows.isUniqueViolation(e)) {
                throw e;
            }
            return get(f.id()).isPresent() ? Insert.DUPLICATE_ID : Insert.DUPLICATE_NAME;
        }
    }

    /** Inserts several flavors together, all or none; false when one was taken. */
    public boolean insertAll(List<Flavor> flavors, Instant now) {
        try {
            jdbi.useTransaction(h -> {
                for (Flavor f : flavors) {
                    insert(h, f, now);
                }
            });
            return true;
        } catch (UnableToExecuteStatementException e) {
            if (!Rows.isUniqueViolation(e)) {
                throw e;
            }
            return false;
        }
    }

    private static void insert(Handle h, Flavor f, Instant now) {
        h.createUpdate("""
                        INSERT INTO flavors (id, name, vcpus, memory_mb, root_gb, ephemeral_gb, swap, rxtx_factor, is_public,
                          disabled, description, created_at, updated_at)
                        VALUES (:id, :name, :vcpus, :ram, :disk, :ephemeral, :swap, :rxtx, :public, :disabled, :description,
                          :now, :now)""")
                .bind("id", f.id()).bind("name", f.name()).bind("vcpus", f.vcpus()).bind("ram", f.memoryMb())
                .bind("disk", f.rootGb()).bind("ephemeral", f.ephemeralGb()).bind("swap", f.swapMb())
                .bind("rxtx", f.rxtxFactor()).bind("public", f.isPublic()).bind("disabled", f.disabled())
                .bind("description", f.description()).bind("now", timestamp(now))
                .execute();
        for (var spec : f.extraSpecs().entrySet()) {
            putSpec(h, f.id(), spec.getKey(), spec.getValue());
        }
    }

    /** Deletes a flavor with its specs and access list; false when there was none. */
    public boolean delete(String id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM flavors WHERE id = :id").bind("id", id).execute()) > 0;
    }

    /** Sets extra specs (adding or replacing); false when the flavor is gone. */
    public boolean putSpecs(String flavorId, Map<String, String> specs, Instant now) {
        return jdbi.inTransaction(h -> {
            int found = h.createUpdate("UPDATE flavors SET updated_at = :now WHERE id = :id")
                    .bind("now", timestamp(now)).bind("id", flavorId).execute();
            if (found == 0) {
                return false;
            }
            for (var spec : new TreeMap<>(specs).entrySet()) {
                putSpec(h, flavorId, spec.getKey(), spec.getValue());
            }
            return true;
        });
    }

    private static void putSpec(Handle h, String flavorId, String key, String value) {
        int updated = h.createUpdate("UPDATE flavor_extra_specs SET spec_value = :v WHERE flavor_id = :f AND spec_key = :k")
                .bind("v", value).bind("f", flavorId).bind("k", key).execute();
        if (updated == 0) {
            h.createUpdate("INSERT INTO flavor_extra_specs (flavor_id, spec_key, spec_value) VALUES (:f, :k, :v)")
                    .bind("f", flavorId).bind("k", key).bind("v", value).execute();
        }
    }

    /** Removes one extra spec; false when the flavor had no such key. */
    public boolean deleteSpec(String flavorId, String key) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM flavor_extra_specs WHERE flavor_id = :f AND spec_key = :k")
                .bind("f", flavorId).bind("k", key).execute()) > 0;
    }

    private static Map<String, String> extraSpecs(Handle h, String flavorId) {
        Map<String, String> specs = new LinkedHashMap<>();
        h.createQuery("SELECT spec_key, spec_value FROM flavor_extra_specs WHERE flavor_id = :f ORDER BY spec_key")
                .bind("f", flavorId)
                .map((rs, c) -> specs.put(rs.getString(1), rs.getString(2))).list();
        return specs;
    }

    /** The projects a flavor is shared with, sorted. */
    public List<String> projects(String flavorId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT project_id FROM flavor_projects WHERE flavor_id = :f ORDER BY project_id")
                .bind("f", flavorId).mapTo(String.class).list());
    }

    /** The ids of the flavors shared with a project. */
    public TreeSet<String> sharedWith(String projectId) {
        return jdbi.withHandle(h -> new TreeSet<>(h.createQuery("SELECT flavor_id FROM flavor_projects WHERE project_id = :p")
                .bind("p", projectId).mapTo(String.class).list()));
    }

    public boolean isSharedWith(String flavorId, String projectId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM flavor_projects WHERE flavor_id = :f AND project_id = :p")
                .bind("f", flavorId).bind("p", projectId).mapTo(Long.class).one() > 0);
    }

    /** Shares a flavor with a project; false when it already was. */
    public boolean addProject(String flavorId, String projectId) {
        try {
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO flavor_projects (flavor_id, project_id) VALUES (:f, :p)")
                    .bind("f", flavorId).bind("p", projectId).execute());
            return true;
        } catch (UnableToExecuteStatementException e) {
            if (!Rows.isUniqueViolation(e)) {
                throw e;
            }
            return false;
        }
    }

    /** Stops sharing a flavor with a project; false when it was not. */
    public boolean removeProject(String flavorId, String projectId) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM flavor_projects WHERE flavor_id = :f AND project_id = :p")
                .bind("f", flavorId).bind("p", projectId).execute()) > 0;
    }

    private static Row row(ResultSet rs, Map<String, String> specs) throws SQLException {
        Flavor flavor = new Flavor(rs.getString("id"), rs.getString("name"), rs.getInt("vcpus"), rs.getInt("memory_mb"),
                rs.getInt("root_gb"), rs.getInt("ephemeral_gb"), rs.getInt("swap"), rs.getDouble("rxtx_factor"),
                rs.getBoolean("is_public"), rs.getBoolean("disabled"), rs.getString("description"), specs);
        return new Row(rs.getLong("seq"), flavor, instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    /** For tests and callers that list: the rows in Nova's default order (flavor id, then seq). */
    public static List<Row> sortedById(List<Row> rows) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(java.util.Comparator.comparing((Row r) -> r.flavor().id()).thenComparingLong(Row::seq));
        return sorted;
    }
}
