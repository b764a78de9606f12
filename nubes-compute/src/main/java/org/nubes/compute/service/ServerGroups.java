package org.nubes.compute.service;

import static org.nubes.core.db.Rows.instant;
import static org.nubes.core.db.Rows.timestamp;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;

/** Server groups: servers the scheduler keeps together (affinity) or apart (anti-affinity). */
public final class ServerGroups {
    public static final Set<String> POLICIES = Set.of("affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity");

    public record Group(String id, String name, String projectId, String userId, String policy,
            Map<String, Object> rules, List<String> members, Instant createdAt) {}

    private final Jdbi jdbi;
    private final Quotas quotas;

    public ServerGroups(Jdbi jdbi, Quotas quotas) {
        this.jdbi = jdbi;
        this.quotas = quotas;
    }

    public Group create(AuthContext caller, String name, String policy, Map<String, Object> rules) {
        if (!POLICIES.contains(policy)) {
            throw ApiException.badRequest("Invalid input for field/attribute policies. Value: %s is not one of %s",
                    policy, POLICIES.stream().sorted().toList());
        }
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        jdbi.useTransaction(h -> {
            Quotas.lockProject(h, caller.projectId());
            int used = h.createQuery("SELECT COUNT(*) FROM server_groups WHERE project_id = :p")
                    .bind("p", caller.projectId()).mapTo(Integer.class).one();
            int limit = quotas.limits(h, caller.projectId()).get("server_groups");
            if (limit >= 0 && used + 1 > limit) {
                throw Quotas.exceeded("server_groups", 1, used, limit);
            }
            h.createUpdate("""
                            INSERT INTO server_groups (id, name, project_id, user_id, policy, rules, created_at)
                            VALUES (:id, :name, :p, :u, :policy, :rules, :now)""")
                    .bind("id", id).bind("name", name).bind("p", caller.projectId()).bind("u", caller.userId())
                    .bind("policy", policy).bind("rules", Json.string(rules)).bind("now", timestamp(now)).execute();
        });
        return get(id).orElseThrow();
    }

    public Optional<Group> get(String id) {
        return jdbi.withHandle(h -> get(h, id));
    }

    public static Optional<Group> get(Handle h, String id) {
        List<String> members = h.createQuery("SELECT instance_id FROM server_group_members WHERE group_id = :g ORDER BY instance_id")
                .bind("g", id).mapTo(String.class).list();
        return h.createQuery("SELECT * FROM server_groups WHERE id = :id").bind("id", id)
                .map((rs, c) -> new Group(rs.getString("id"), rs.getString("name"), rs.getString("project_id"),
                        rs.getString("user_id"), rs.getString("policy"), rules(rs.getString("rules")), members,
                        instant(rs, "created_at")))
                .findOne();
    }

    /** The caller's project's groups, or every group for an admin asking for all projects. */
    public List<Group> list(String projectId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM server_groups"
                        + (projectId == null ? "" : " WHERE project_id = :p") + " ORDER BY created_at, id")
                .bind("p", projectId).mapTo(String.class).list()
                .stream().map(id -> get(h, id).orElseThrow()).toList());
    }

    public boolean delete(String id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM server_groups WHERE id = :id").bind("id", id).execute() == 1);
    }

    /** 400 unless the group exists and belongs to the caller's project (admins may use any). */
    static Group requireVisible(Jdbi jdbi, String id, AuthContext caller) {
        return jdbi.withHandle(h -> get(h, id))
                .filter(g -> caller.isAdmin() || g.projectId().equals(caller.projectId()))
                .orElseThrow(() -> ApiException.badRequest("Invalid server group %s: it does not exist.", id));
    }

    static void checkMemberQuota(Handle h, String groupId, int adding, int limit) {
        int members = h.createQuery("SELECT COUNT(*) FROM server_group_members WHERE group_id = :g")
                .bind("g", groupId).mapTo(Integer.class).one();
        if (limit >= 0 && members + adding > limit) {
            throw Quotas.exceeded("server_group_members", adding, members, limit);
        }
    }

    static void addMember(Handle h, String groupId, String instanceId) {
        h.createUpdate("INSERT INTO server_group_members (group_id, instance_id) VALUES (:g, :i)")
                .bind("g", groupId).bind("i", instanceId).execute();
    }

    /** The group a server is in, if any. */
    public static Optional<Group> ofInstance(Handle h, String instanceId) {
        return h.createQuery("SELECT group_id FROM server_group_members WHERE instance_id = :i")
                .bind("i", instanceId).mapTo(String.class).findOne().flatMap(g -> get(h, g));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> rules(String json) {
        return json == null ? Map.of() : Json.convert(Json.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)), Map.class);
    }
}
