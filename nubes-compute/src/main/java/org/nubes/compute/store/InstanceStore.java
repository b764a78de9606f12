package org.nubes.compute.store;

import static org.nubes.core.db.Rows.instant;
import static org.nubes.core.db.Rows.timestamp;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.nubes.core.json.Json;

/**
 * The instances table and its tags. State changes are conditional updates ("if the task is still
 * this one"), so that of two requests racing for one server exactly one wins, as Nova's
 * expected_task_state does.
 */
public final class InstanceStore {
    private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {};

    private final Jdbi jdbi;

    public InstanceStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Inserts servers of one request together: all of them or none. */
    public void insert(List<Instance> instances) {
        jdbi.useTransaction(h -> {
            for (Instance i : instances) {
                insert(h, i);
            }
        });
    }

    public void insert(Handle h, Instance i) {
        h.createUpdate("""
                        INSERT INTO instances (id, name, project_id, user_id, image_ref, flavor_id, flavor, vcpus, memory_mb, root_gb,
                          vm_state, task_state, power_state, host, node, availability_zone, key_name, key_data, user_data,
                          metadata, description, locked, locked_by, locked_reason, access_ipv4, access_ipv6, config_drive,
                          hostname, launch_index, reservation_id, progress, created_at, updated_at, deleted)
                        VALUES (:id, :name, :project, :user, :image, :flavor_id, :flavor, :vcpus, :ram, :disk, :vm, :task, :power, :host,
                          :node, :az, :key_name, :key_data, :user_data, :metadata, :description, FALSE, NULL, NULL, :ip4, :ip6,
                          :config_drive, :hostname, :launch_index, :reservation, 0, :created, :created, FALSE)""")
                .bind("id", i.id()).bind("name", i.name()).bind("project", i.projectId()).bind("user", i.userId())
                .bind("image", i.imageRef()).bind("flavor_id", i.flavor().id()).bind("flavor", Json.string(i.flavor()))
                .bind("vcpus", i.flavor().vcpus()).bind("ram", i.flavor().memoryMb()).bind("disk", i.flavor().rootGb())
                .bind("vm", i.vmState()).bind("task", i.taskState()).bind("power", i.powerState())
                .bind("host", i.host()).bind("node", i.node()).bind("az", i.availabilityZone())
                .bind("key_name", i.keyName()).bind("key_data", i.keyData()).bind("user_data", i.userData())
                .bind("metadata", Json.string(i.metadata())).bind("description", i.description())
                .bind("ip4", i.accessIpv4()).bind("ip6", i.accessIpv6()).bind("config_drive", i.configDrive())
                .bind("hostname", i.hostname()).bind("launch_index", i.launchIndex())
                .bind("reservation", i.reservationId()).bind("created", timestamp(i.createdAt()))
                .execute();
        for (String tag : i.tags()) {
            h.createUpdate("INSERT INTO instance_tags (instance_id, tag) VALUES (:id, :tag)")
                    .bind("id", i.id()).bind("tag", tag).execute();
        }
    }

    /** A server that is not deleted. */
    public Optional<Instance> get(String id) {
        return jdbi.withHandle(h -> get(h, id, false));
    }

    /** A server, deleted or not. */
    public Optional<Instance> getIncludingDeleted(String id) {
        return jdbi.withHandle(h -> get(h, id, true));
    }

    private Optional<Instance> get(Handle h, String id, boolean includeDeleted) {
        Optional<Instance> found = h.createQuery("SELECT * FROM instances WHERE id = :id"
                        + (includeDeleted ? "" : " AND deleted = FALSE"))
                .bind("id", id).map((rs, c) -> map(rs, List.of())).findOne();
        return found.map(i -> withTags(i, tags(h, List.of(i.id())).getOrDefault(i.id(), List.of())));
    }

    /** What a list asks for; null fields do not filter. */
    public record Filter(
            String projectId,
            boolean includeDeleted,
            List<String> vmStates,
            List<String> taskStates,
            String imageRef,
            String flavorId,
            String host,
            String availabilityZone,
            Instant changesSince,
            Instant changesBefore,
            List<String> tagsAll,
            List<String> tagsAny,
            List<String> notTagsAll,
            List<String> notTagsAny,
            String ip,
            Boolean locked) {}

    /**
     * Servers newest first (created_at, then seq), after the marker, at most limit of them. The
     * name regex is applied by the caller, which then asks for more when it filtered some out.
     */
    public List<Instance> list(Filter filter, String markerId, int limit) {
        return jdbi.withHandle(h -> {
            StringBuilder sql = new StringBuilder("SELECT * FROM instances WHERE 1 = 1");
            Map<String, Object> args = new HashMap<>();
            where(sql, args, filter);
            if (markerId != null) {
                sql.append(" AND seq < (SELECT seq FROM instances WHERE id = :marker)");
                args.put("marker", markerId);
            }
            sql.append(" ORDER BY seq DESC LIMIT :limit");
            args.put("limit", limit);
            Query query = h.createQuery(sql.toString());
            args.forEach((k, v) -> bindAny(query, k, v));
            List<Instance> found = query.map((rs, c) -> map(rs, List.of())).list();
            Map<String, List<String>> tags = tags(h, found.stream().map(Instance::id).toList());
            return found.stream().map(i -> withTags(i, tags.getOrDefault(i.id(), List.of()))).toList();
        });
    }

    public boolean exists(String id, boolean includeDeleted) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM instances WHERE id = :id"
                        + (includeDeleted ? "" : " AND deleted = FALSE"))
                .bind("id", id).mapTo(Integer.class).one() > 0);
    }

    private static void where(StringBuilder sql, Map<String, Object> args, Filter f) {
        if (f.projectId() != null) {
            sql.append(" AND project_id = :project");
            args.put("project", f.projectId());
        }
        if (!f.includeDeleted()) {
            sql.append(" AND deleted = FALSE");
        }
        if (f.vmStates() != null) {
            sql.append(" AND vm_state IN (").append(placeholders("vm", f.vmStates(), args)).append(")");
        }
        if (f.taskStates() != null) {
            sql.append(" AND task_state IN (").append(placeholders("task", f.taskStates(), args)).append(")");
        }
        equal(sql, args, "image_ref", f.imageRef());
        equal(sql, args, "host", f.host());
        equal(sql, args, "availability_zone", f.availabilityZone());
        equal(sql, args, "flavor_id", f.flavorId());
        if (f.changesSince() != null) {
            sql.append(" AND updated_at >= :since");
            args.put("since", f.changesSince());
        }
        if (f.changesBefore() != null) {
            sql.append(" AND updated_at <= :before");
            args.put("before", f.changesBefore());
        }
        if (f.locked() != null) {
            sql.append(" AND locked = :locked");
            args.put("locked", f.locked());
        }
        if (f.tagsAll() != null) {
            for (int n = 0; n < f.tagsAll().size(); n++) {
                sql.append(" AND id IN (SELECT instance_id FROM instance_tags WHERE tag = :tag_all").append(n).append(")");
                args.put("tag_all" + n, f.tagsAll().get(n));
            }
        }
        if (f.tagsAny() != null) {
            sql.append(" AND id IN (SELECT instance_id FROM instance_tags WHERE tag IN (")
                    .append(placeholders("tag_any", f.tagsAny(), args)).append("))");
        }
        if (f.notTagsAll() != null) {
            StringJoiner all = new StringJoiner(" AND ");
            for (int n = 0; n < f.notTagsAll().size(); n++) {
                all.add("id IN (SELECT instance_id FROM instance_tags WHERE tag = :not_all" + n + ")");
                args.put("not_all" + n, f.notTagsAll().get(n));
            }
            sql.append(" AND NOT (").append(all).append(")");
        }
        if (f.notTagsAny() != null) {
            sql.append(" AND id NOT IN (SELECT instance_id FROM instance_tags WHERE tag IN (")
                    .append(placeholders("not_any", f.notTagsAny(), args)).append("))");
        }
    }

    private static void equal(StringBuilder sql, Map<String, Object> args, String column, String value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = :").append(column);
            args.put(column, value);
        }
    }

    private static String placeholders(String prefix, List<String> values, Map<String, Object> args) {
        StringJoiner names = new StringJoiner(", ");
        for (int n = 0; n < values.size(); n++) {
            names.add(":" + prefix + n);
            args.put(prefix + n, values.get(n));
        }
        return values.isEmpty() ? "NULL" : names.toString();
    }

    private static void bindAny(Query query, String name, Object value) {
        switch (value) {
            case Instant instant -> query.bind(name, timestamp(instant));
            case Integer number -> query.bind(name, number);
            case Boolean flag -> query.bind(name, flag);
            default -> query.bind(name, value.toString());
        }
    }

    /**
     * Changes columns of a server if it is not deleted and, when expectedTaskStates is not null,
     * its task_state is one of them (null in the list meaning "no task"). Returns whether it did.
     */
    public boolean update(String id, List<String> expectedTaskStates, Map<String, Object> columns, Instant now) {
        return jdbi.withHandle(h -> update(h, id, expectedTaskStates, columns, now));
    }

    public boolean update(Handle h, String id, List<String> expectedTaskStates, Map<String, Object> columns, Instant now) {
        Map<String, Object> set = new LinkedHashMap<>(columns);
        set.put("updated_at", now);
        StringJoiner assignments = new StringJoiner(", ");
        set.keySet().forEach(column -> assignments.add(column + " = :c_" + column));
        StringBuilder sql = new StringBuilder("UPDATE instances SET ").append(assignments).append(" WHERE id = :id AND deleted = FALSE");
        Map<String, Object> args = new HashMap<>();
        if (expectedTaskStates != null) {
            List<String> states = expectedTaskStates.stream().filter(java.util.Objects::nonNull).toList();
            StringJoiner any = new StringJoiner(" OR ", " AND (", ")");
            if (expectedTaskStates.contains(null)) {
                any.add("task_state IS NULL");
            }
            if (!states.isEmpty()) {
                any.add("task_state IN (" + placeholders("expected", states, args) + ")");
            }
            sql.append(any);
        }
        var update = h.createUpdate(sql.toString()).bind("id", id);
        args.forEach((k, v) -> update.bind(k, v.toString()));
        for (var column : set.entrySet()) {
            Object value = column.getValue();
            String name = "c_" + column.getKey();
            switch (value) {
                case null -> update.bindNull(name, java.sql.Types.VARCHAR);
                case Instant instant -> update.bind(name, timestamp(instant));
                case Integer number -> update.bind(name, number);
                case Boolean flag -> update.bind(name, flag);
                case Flavor flavor -> update.bind(name, Json.string(flavor));
                case Instance.Fault fault -> update.bind(name, Json.string(fault));
                case Map<?, ?> map -> update.bind(name, Json.string(map));
                case List<?> list -> update.bind(name, Json.string(list));
                default -> update.bind(name, value.toString());
            }
        }
        return update.execute() == 1;
    }

    /** Marks a server deleted; its row stays for changes-since and instance actions, as Nova's does. */
    public boolean markDeleted(String id, Instant now) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("DELETE FROM server_group_members WHERE instance_id = :id").bind("id", id).execute();
            return h.createUpdate("""
                            UPDATE instances SET deleted = TRUE, deleted_at = :now, terminated_at = :now, updated_at = :now,
                              vm_state = 'deleted', task_state = NULL, power_state = 0
                            WHERE id = :id AND deleted = FALSE""")
                    .bind("id", id).bind("now", timestamp(now)).execute() == 1;
        });
    }

    public void replaceTags(String id, List<String> tags, Instant now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM instance_tags WHERE instance_id = :id").bind("id", id).execute();
            for (String tag : tags) {
                h.createUpdate("INSERT INTO instance_tags (instance_id, tag) VALUES (:id, :tag)")
                        .bind("id", id).bind("tag", tag).execute();
            }
            h.createUpdate("UPDATE instances SET updated_at = :now WHERE id = :id").bind("id", id).bind("now", timestamp(now)).execute();
        });
    }

    /** What a project's servers hold against its quota: servers, vCPUs, MiB of memory. */
    public record Usage(int instances, int cores, int ram) {}

    /**
     * A server that failed to build (ERROR and never launched) holds nothing, so a driver failure
     * gives its quota back at once; every other server holds its flavor until deleted.
     */
    public Usage usage(Handle h, String projectId) {
        return h.createQuery("""
                        SELECT COUNT(*) AS n, COALESCE(SUM(vcpus), 0) AS cores, COALESCE(SUM(memory_mb), 0) AS ram
                        FROM instances WHERE project_id = :p AND deleted = FALSE
                          AND NOT (vm_state = 'error' AND launched_at IS NULL)""")
                .bind("p", projectId)
                .map((rs, c) -> new Usage(rs.getInt("n"), rs.getInt("cores"), rs.getInt("ram"))).one();
    }

    /** What the servers placed on each host use, by host: vCPUs, MiB, GiB and count. */
    public record HostUsage(int vcpus, int memoryMb, int diskGb, int instances) {}

    public Map<String, HostUsage> usageByHost() {
        return jdbi.withHandle(h -> {
            Map<String, HostUsage> usage = new HashMap<>();
            h.createQuery("""
                            SELECT host, COALESCE(SUM(vcpus), 0) AS vcpus, COALESCE(SUM(memory_mb), 0) AS ram,
                              COALESCE(SUM(root_gb), 0) AS disk, COUNT(*) AS n
                            FROM instances WHERE deleted = FALSE AND host IS NOT NULL
                              AND NOT (vm_state = 'error' AND launched_at IS NULL)
                            GROUP BY host""")
                    .map((rs, c) -> Map.entry(rs.getString("host"),
                            new HostUsage(rs.getInt("vcpus"), rs.getInt("ram"), rs.getInt("disk"), rs.getInt("n"))))
                    .forEach(e -> usage.put(e.getKey(), e.getValue()));
            return usage;
        });
    }

    /** The servers on a host that are not deleted (for the agent's sync and os-hypervisors). */
    public List<Instance> onHost(String host) {
        return list(new Filter(null, false, null, null, null, null, host, null, null, null, null, null, null, null, null, null),
                null, Integer.MAX_VALUE);
    }

    private static Map<String, List<String>> tags(Handle h, List<String> ids) {
        Map<String, List<String>> tags = new HashMap<>();
        if (ids.isEmpty()) {
            return tags;
        }
        for (int from = 0; from < ids.size(); from += 1000) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
            h.createQuery("SELECT instance_id, tag FROM instance_tags WHERE instance_id IN (<ids>) ORDER BY tag")
                    .bindList("ids", chunk)
                    .map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> tags.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        }
        return tags;
    }

    private static Instance withTags(Instance i, List<String> tags) {
        return new Instance(i.id(), i.name(), i.projectId(), i.userId(), i.imageRef(), i.flavor(), i.vmState(), i.taskState(),
                i.powerState(), i.host(), i.node(), i.availabilityZone(), i.keyName(), i.keyData(), i.userData(), i.metadata(),
                tags, i.description(), i.lock(), i.accessIpv4(), i.accessIpv6(), i.configDrive(), i.hostname(),
                i.launchIndex(), i.reservationId(), i.progress(), i.fault(), i.oldFlavor(), i.launchedAt(), i.terminatedAt(),
                i.createdAt(), i.updatedAt(), i.deletedAt(), i.deleted(), i.networkInfo());
    }

    private static Instance map(ResultSet rs, List<String> tags) throws SQLException {
        String fault = rs.getString("fault");
        String oldFlavor = rs.getString("old_flavor");
        return new Instance(
                rs.getString("id"), rs.getString("name"), rs.getString("project_id"), rs.getString("user_id"),
                rs.getString("image_ref"), read(rs.getString("flavor"), Flavor.class),
                rs.getString("vm_state"), rs.getString("task_state"), rs.getInt("power_state"),
                rs.getString("host"), rs.getString("node"), rs.getString("availability_zone"),
                rs.getString("key_name"), rs.getString("key_data"), rs.getString("user_data"),
                readMetadata(rs.getString("metadata")), tags, rs.getString("description"),
                new Instance.Lock(rs.getBoolean("locked"), rs.getString("locked_by"), rs.getString("locked_reason")),
                rs.getString("access_ipv4"), rs.getString("access_ipv6"), rs.getString("config_drive"),
                rs.getString("hostname"), rs.getInt("launch_index"), rs.getString("reservation_id"), rs.getInt("progress"),
                fault == null ? null : read(fault, Instance.Fault.class),
                oldFlavor == null ? null : read(oldFlavor, Flavor.class),
                instant(rs, "launched_at"), instant(rs, "terminated_at"), instant(rs, "created_at"),
                instant(rs, "updated_at"), instant(rs, "deleted_at"), rs.getBoolean("deleted"),
                readNetworkInfo(rs.getString("network_info")));
    }

    private static List<Vif> readNetworkInfo(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return List.of(Json.MAPPER.readValue(json, Vif[].class));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> readMetadata(String json) {
        try {
            return Json.MAPPER.readValue(json, METADATA);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
