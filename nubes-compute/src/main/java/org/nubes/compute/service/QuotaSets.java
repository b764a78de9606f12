package org.nubes.compute.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nubes.compute.store.InstanceStore;
import org.nubes.core.http.ApiException;

/**
 * A project's quota set as os-quota-sets and limits show it: the resources {@link Quotas} counts,
 * plus those Nova still lists that nothing here consumes (network ones, injected files) with Nova's
 * defaults. What a project uses is counted from its servers and server groups.
 */
public final class QuotaSets {
    /** Nova's quota resources, in the order of its resource list. */
    public static final List<String> RESOURCES = List.of("instances", "cores", "ram", "floating_ips", "fixed_ips",
            "metadata_items", "injected_files", "injected_file_content_bytes", "injected_file_path_bytes", "key_pairs",
            "security_groups", "security_group_rules", "server_groups", "server_group_members");

    /** The resources 2.36 stopped showing (they belong to the network service). */
    public static final List<String> NETWORK = List.of("fixed_ips", "floating_ips", "security_group_rules",
            "security_groups");

    private static final Map<String, Integer> FIXED_DEFAULTS = Map.of("floating_ips", -1, "fixed_ips", -1,
            "security_groups", -1, "security_group_rules", -1, "injected_files", 5, "injected_file_content_bytes", 10240,
            "injected_file_path_bytes", 255);

    private final Quotas quotas;
    private final InstanceStore instances;
    private final ServerGroups groups;

    public QuotaSets(Quotas quotas, InstanceStore instances, ServerGroups groups) {
        this.quotas = quotas;
        this.instances = instances;
        this.groups = groups;
    }

    /** A resource's limit and what the project uses of it. */
    public record Usage(int limit, int inUse) {}

    public Map<String, Integer> defaults() {
        Map<String, Integer> defaults = new LinkedHashMap<>();
        for (String r : RESOURCES) {
            defaults.put(r, FIXED_DEFAULTS.containsKey(r) ? FIXED_DEFAULTS.get(r) : quotas.defaultLimit(r));
        }
        return defaults;
    }

    public Map<String, Integer> limits(String projectId) {
        Map<String, Integer> set = quotas.limits(projectId);
        Map<String, Integer> limits = defaults();
        limits.replaceAll((r, d) -> set.getOrDefault(r, d));
        return limits;
    }

    /** Each resource's limit with the project's use of it. */
    public Map<String, Usage> usage(String projectId) {
        InstanceStore.Usage servers = instances.jdbi().withHandle(h -> instances.usage(h, projectId));
        Map<String, Integer> used = Map.of("instances", servers.instances(), "cores", servers.cores(), "ram", servers.ram(),
                "server_groups", groups.list(projectId).size());
        Map<String, Usage> usage = new LinkedHashMap<>();
        limits(projectId).forEach((r, limit) -> usage.put(r, new Usage(limit, used.getOrDefault(r, 0))));
        return usage;
    }

    /**
     * Sets limits. Unless forced, a limit (other than -1, unlimited) below what the project already
     * uses is refused with Nova's 400, and nothing is changed.
     */
    public void update(String projectId, Map<String, Integer> limits, boolean force) {
        if (!force) {
            Map<String, Usage> usage = usage(projectId);
            for (var e : limits.entrySet()) {
                int inUse = usage.get(e.getKey()).inUse();
                if (e.getValue() != -1 && e.getValue() < inUse) {
                    throw ApiException.badRequest("Quota limit %d for %s must be greater than or equal to already used "
                            + "and reserved %d.", e.getValue(), e.getKey(), inUse);
                }
            }
        }
        limits.forEach((r, limit) -> quotas.setLimit(projectId, r, limit));
    }

    /** Back to the defaults. */
    public void reset(String projectId) {
        quotas.reset(projectId);
    }
}
