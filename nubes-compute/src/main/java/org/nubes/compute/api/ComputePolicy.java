package org.nubes.compute.api;

import static org.nubes.core.auth.Rule.ADMIN;
import static org.nubes.core.auth.Rule.ANYONE;
import static org.nubes.core.auth.Rule.owner;
import static org.nubes.core.auth.Rule.project;
import static org.nubes.core.auth.Rule.role;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.nubes.core.auth.Policy;
import org.nubes.core.auth.Rule;

/**
 * Nova's default policy (secure RBAC), with its rule names. Targets carry project_id (the
 * resource's project) and, for key pairs, user_id. Rules that are not targeted are checked before
 * the handler runs against the caller alone; a project rule there means "some project role".
 */
public final class ComputePolicy {
    private static final Rule PROJECT_READER_OR_ADMIN = ADMIN.or(project("reader", "project_id"));
    private static final Rule PROJECT_MEMBER_OR_ADMIN = ADMIN.or(project("member", "project_id"));
    private static final Rule ANY_READER = ADMIN.or(role("reader"));
    private static final Rule ANY_MEMBER = ADMIN.or(role("member"));

    private ComputePolicy() {}

    public static Policy create() {
        Map<String, Rule> rules = new HashMap<>();
        Set<String> targeted = new HashSet<>();

        // Checked on the caller alone, before the handler.
        put(rules, ANYONE, "os_compute_api:versions", "os_compute_api:flavors:index", "os_compute_api:limits",
                "os_compute_api:os-availability-zone:list", "os_compute_api:os-quota-sets:defaults");
        put(rules, ANY_READER, "os_compute_api:servers:index", "os_compute_api:servers:detail",
                "os_compute_api:os-keypairs:index", "os_compute_api:os-server-groups:index");
        put(rules, ANY_MEMBER, "os_compute_api:servers:create", "os_compute_api:os-keypairs:create",
                "os_compute_api:os-server-groups:create");
        put(rules, ADMIN, "os_compute_api:os-server-external-events:create");
        put(rules, ADMIN, "os_compute_api:servers:index:get_all_tenants", "os_compute_api:servers:detail:get_all_tenants",
                "os_compute_api:servers:create:forced_host", "os_compute_api:servers:show:host_status",
                "os_compute_api:os-extended-server-attributes", "os_compute_api:os-flavor-manage:create",
                "os_compute_api:os-flavor-manage:update", "os_compute_api:os-flavor-manage:delete",
                "os_compute_api:os-flavor-extra-specs:create", "os_compute_api:os-flavor-extra-specs:update",
                "os_compute_api:os-flavor-extra-specs:delete", "os_compute_api:os-flavor-access",
                "os_compute_api:os-flavor-access:add_tenant_access", "os_compute_api:os-flavor-access:remove_tenant_access",
                "os_compute_api:os-hypervisors:list", "os_compute_api:os-hypervisors:list-detail",
                "os_compute_api:os-hypervisors:show", "os_compute_api:os-hypervisors:statistics",
                "os_compute_api:os-hypervisors:servers", "os_compute_api:os-hypervisors:search",
                "os_compute_api:os-hypervisors:uptime",
                "os_compute_api:os-services:list", "os_compute_api:os-services:update", "os_compute_api:os-services:delete",
                "os_compute_api:os-availability-zone:detail", "os_compute_api:os-server-groups:index:all_projects",
                "os_compute_api:limits:other_project", "os_compute_api:os-quota-sets:update",
                "os_compute_api:os-quota-sets:delete", "os_compute_api:os-instance-actions:events:details",
                "os_compute_api:os-lock-server:unlock:unlock_override", "os_compute_api:os-admin-actions:reset_state",
                "os_compute_api:os-aggregates:index", "os_compute_api:os-aggregates:create",
                "os_compute_api:os-aggregates:show", "os_compute_api:os-aggregates:update",
                "os_compute_api:os-aggregates:delete", "os_compute_api:os-aggregates:add_host",
                "os_compute_api:os-aggregates:remove_host", "os_compute_api:os-aggregates:set_metadata");
        put(rules, ANY_READER, "os_compute_api:os-flavor-extra-specs:index", "os_compute_api:os-flavor-extra-specs:show");
        put(rules, ANY_READER, "os_compute_api:os-security-groups:get", "os_compute_api:os-security-groups:show");

        // Checked in the handler, once the resource (and so its project) is known.
        // The route of every server action; the handler enforces the action's own rule as well.
        targeted(rules, targeted, PROJECT_READER_OR_ADMIN, "os_compute_api:servers:action",
                "os_compute_api:servers:show",
                "os_compute_api:server-metadata:index", "os_compute_api:server-metadata:show",
                "os_compute_api:os-server-tags:index", "os_compute_api:os-server-tags:show",
                "os_compute_api:ips:index", "os_compute_api:ips:show",
                "os_compute_api:os-attach-interfaces:list", "os_compute_api:os-attach-interfaces:show",
                "os_compute_api:os-instance-actions:list", "os_compute_api:os-instance-actions:show",
                "os_compute_api:os-instance-actions:events", "os_compute_api:os-console-output",
                "os_compute_api:os-server-groups:show", "os_compute_api:os-quota-sets:show",
                "os_compute_api:servers:show:flavor-extra-specs");
        targeted(rules, targeted, PROJECT_MEMBER_OR_ADMIN, "os_compute_api:servers:update",
                "os_compute_api:os-security-groups:add", "os_compute_api:os-security-groups:remove",
                "os_compute_api:os-attach-interfaces:create", "os_compute_api:os-attach-interfaces:delete",
                "os_compute_api:servers:delete", "os_compute_api:servers:start", "os_compute_api:servers:stop",
                "os_compute_api:servers:reboot", "os_compute_api:servers:rebuild", "os_compute_api:servers:resize",
                "os_compute_api:servers:confirm_resize", "os_compute_api:servers:revert_resize",
                "os_compute_api:servers:create_image", "os_compute_api:os-pause-server:pause",
                "os_compute_api:os-pause-server:unpause", "os_compute_api:os-suspend-server:suspend",
                "os_compute_api:os-suspend-server:resume", "os_compute_api:os-lock-server:lock",
                "os_compute_api:os-lock-server:unlock", "os_compute_api:os-deferred-delete:force",
                "os_compute_api:server-metadata:create", "os_compute_api:server-metadata:update",
                "os_compute_api:server-metadata:update_all", "os_compute_api:server-metadata:delete",
                "os_compute_api:os-server-tags:update", "os_compute_api:os-server-tags:update_all",
                "os_compute_api:os-server-tags:delete", "os_compute_api:os-server-tags:delete_all",
                "os_compute_api:os-server-groups:delete");
        targeted(rules, targeted, ADMIN, "os_compute_api:os-server-diagnostics");
        targeted(rules, targeted, ADMIN.or(owner("user_id")), "os_compute_api:os-keypairs:show",
                "os_compute_api:os-keypairs:delete");
        targeted(rules, targeted, PROJECT_READER_OR_ADMIN, "os_compute_api:os-quota-sets:detail");
        // Nova checks index and create against the user they are about (user_id from 2.10).
        targeted(rules, targeted, ADMIN.or(owner("user_id")), "os_compute_api:os-keypairs:index:user_id",
                "os_compute_api:os-keypairs:create:user_id");
        return new Policy(rules, targeted);
    }

    private static void put(Map<String, Rule> rules, Rule rule, String... names) {
        for (String name : names) {
            rules.put(name, rule);
        }
    }

    private static void targeted(Map<String, Rule> rules, Set<String> targeted, Rule rule, String... names) {
        put(rules, rule, names);
        targeted.addAll(Set.of(names));
    }
}
