package org.nubes.compute.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.nubes.compute.ComputeConfig;
import org.nubes.compute.store.InstanceStore;
import org.nubes.core.http.ApiException;

/**
 * Nova's counted quotas: what a project uses is counted from its resources when it asks for
 * more, never kept as a separate tally that could drift. The check and the write that consumes the
 * quota run in one transaction holding the project's lock row, so two concurrent requests cannot
 * both take the last unit.
 */
public final class Quotas {
    /** Nova's resource names, in the order its messages list them. */
    public static final List<String> RESOURCES = List.of("instances", "cores", "ram", "key_pairs", "server_groups",
            "server_group_members", "metadata_items");

    private final Jdbi jdbi;
    private final ComputeConfig.QuotaDefaults defaults;

    public Quotas(Jdbi jdbi, ComputeConfig.QuotaDefaults defaults) {
        this.jdbi = jdbi;
        this.defaults = defaults;
    }

    public int defaultLimit(String resource) {
        return switch (resource) {
            case "instances" -> defaults.instances();
            case "cores" -> defaults.cores();
            case "ram" -> defaults.ram();
            case "key_pairs" -> defaults.keyPairs();
            case "server_groups" -> defaults.serverGroups();
            case "server_group_members" -> defaults.serverGroupMembers();
            case "metadata_items" -> defaults.metadataItems();
            default -> throw new IllegalArgumentException("unknown quota resource " + resource);
        };
    }

    /** The project's limits: its own where set, the defaults otherwise. */
    public Map<String, Integer> limits(String projectId) {
        return jdbi.withHandle(h -> limits(h, projectId));
    }

    public Map<String, Integer> limits(Handle h, String projectId) {
        Map<String, Integer> limits = new LinkedHashMap<>();
        RESOURCES.forEach(r -> limits.put(r, defaultLimit(r)));
        h.createQuery("SELECT resource, hard_limit FROM quotas WHERE project_id = :p AND user_id = ''")
                .bind("p", projectId)
                .map((rs, c) -> Map.entry(rs.getString(1), rs.getInt(2)))
                .forEach(e -> limits.put(e.getKey(), e.getValue()));
        return limits;
    }

    public void setLimit(String projectId, String resource, int limit) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM quotas WHERE project_id = :p AND user_id = '' AND resource = :r")
                    .bind("p", projectId).bind("r", resource).execute();
            h.createUpdate("INSERT INTO quotas (project_id, user_id, resource, hard_limit) VALUES (:p, '', :r, :l)")
                    .bind("p", projectId).bind("r", resource).bind("l", limit).execute();
        });
    }

    /** Back to the defaults for every resource of the project. */
    public void reset(String projectId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM quotas WHERE project_id = :p").bind("p", projectId).execute());
    }

    /** Takes the project's lock row for the rest of the transaction. */
    public static void lockProject(Handle h, String projectId) {
        org.nubes.compute.store.Locks.lock(h, projectId);
    }

    /**
     * 403 with Nova's message when adding the requested servers, cores and MiB to what the
     * project uses exceeds a limit. Call inside the transaction that creates them, after
     * {@link #lockProject}.
     */
    public void checkServers(Handle h, InstanceStore instances, String projectId, int count, int cores, int ram) {
        InstanceStore.Usage used = instances.usage(h, projectId);
        Map<String, Integer> limits = limits(h, projectId);
        List<String> overs = new ArrayList<>();
        List<Integer> requested = new ArrayList<>();
        List<Integer> usedList = new ArrayList<>();
        List<Integer> allowed = new ArrayList<>();
        over(overs, requested, usedList, allowed, "instances", count, used.instances(), limits.get("instances"));
        over(overs, requested, usedList, allowed, "cores", cores, used.cores(), limits.get("cores"));
        over(overs, requested, usedList, allowed, "ram", ram, used.ram(), limits.get("ram"));
        if (!overs.isEmpty()) {
            throw exceeded(overs, requested, usedList, allowed);
        }
    }

    /** How many of count servers of one flavor still fit, for min_count/max_count. */
    public int fitting(Handle h, InstanceStore instances, String projectId, Map<String, Integer> limits, int count,
            int vcpus, int ram) {
        InstanceStore.Usage used = instances.usage(h, projectId);
        int fit = count;
        fit = Math.min(fit, room(limits.get("instances"), used.instances(), 1));
        fit = Math.min(fit, room(limits.get("cores"), used.cores(), vcpus));
        fit = Math.min(fit, room(limits.get("ram"), used.ram(), ram));
        return Math.max(0, fit);
    }

    private static int room(int limit, int used, int each) {
        if (limit < 0 || each == 0) {
            return Integer.MAX_VALUE;
        }
        return (limit - used) / each;
    }

    private static void over(List<String> overs, List<Integer> requested, List<Integer> used, List<Integer> allowed,
            String resource, int asked, int inUse, int limit) {
        if (limit >= 0 && asked > 0 && inUse + asked > limit) {
            overs.add(resource);
            requested.add(asked);
            used.add(inUse);
            allowed.add(limit);
        }
    }

    /** One resource over its limit (key pairs, server groups, members). */
    public static ApiException exceeded(String resource, int asked, int used, int limit) {
        return exceeded(List.of(resource), List.of(asked), List.of(used), List.of(limit));
    }

    private static ApiException exceeded(List<String> overs, List<Integer> requested, List<Integer> used, List<Integer> allowed) {
        String names = String.join(", ", overs);
        return ApiException.forbidden("Quota exceeded for %s: Requested %s, but already used %s of %s %s", names,
                join(requested), join(used), join(allowed), names);
    }

    private static String join(List<Integer> values) {
        return String.join(", ", values.stream().map(String::valueOf).toList());
    }
}
