package org.nubes.network.api;

import static org.nubes.core.auth.Rule.ADMIN;
import static org.nubes.core.auth.Rule.role;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.nubes.core.auth.Policy;
import org.nubes.core.auth.Rule;
import org.nubes.network.service.Kind;

/**
 * Neutron's default policy (secure RBAC), with its rule names: readers read, members write, admins
 * do both anywhere. Which resources a caller sees, and may change, is decided by the service (404
 * for others' resources, 403 for admin-only attributes); these rules gate the operation.
 */
public final class NeutronPolicy {
    private static final Rule READER = ADMIN.or(role("reader"));
    private static final Rule MEMBER = ADMIN.or(role("member"));

    private NeutronPolicy() {}

    public static Policy create() {
        Map<String, Rule> rules = new HashMap<>();
        for (Kind kind : Kind.values()) {
            rules.put("get_" + kind.singular, READER);
            rules.put("create_" + kind.singular, MEMBER);
            rules.put("update_" + kind.singular, MEMBER);
            rules.put("delete_" + kind.singular, MEMBER);
            if (kind.taggable()) {
                String tags = kind.plural() + "_tags";
                rules.put("get_" + tags, READER);
                rules.put("create_" + tags, MEMBER);
                rules.put("update_" + tags, MEMBER);
                rules.put("delete_" + tags, MEMBER);
            }
        }
        rules.put("add_router_interface", MEMBER);
        rules.put("remove_router_interface", MEMBER);
        rules.put("get_quota", READER);
        rules.put("update_quota", ADMIN);
        rules.put("delete_quota", ADMIN);
        rules.put("get_auto_allocated_topology", MEMBER);
        rules.put("delete_auto_allocated_topology", MEMBER);
        rules.put("get_extension", READER);
        return new Policy(rules, Set.of());
    }
}
