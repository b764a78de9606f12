package org.nubes.identity.api;

import static org.nubes.core.auth.Rule.ADMIN;
import static org.nubes.core.auth.Rule.ANYONE;
import static org.nubes.core.auth.Rule.SERVICE;
import static org.nubes.core.auth.Rule.domain;
import static org.nubes.core.auth.Rule.owner;
import static org.nubes.core.auth.Rule.project;
import static org.nubes.core.auth.Rule.system;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.nubes.core.auth.Policy;
import org.nubes.core.auth.Rule;

/**
 * Keystone's default policy, with its rule names: admin may do everything; system readers read
 * everything; domain readers read their domain; users read themselves and manage their own
 * password, application credentials and EC2 credentials. Target attributes are named after the
 * resource ("user_id", "domain_id", "project_id").
 */
public final class IdentityPolicy {
    private static final Rule ADMIN_OR_SYSTEM_READER = ADMIN.or(system("reader"));
    private static final Rule DOMAIN_READER = domain("reader", "domain_id");
    private static final Rule OWNER = owner("user_id");
    private static final Rule DOMAIN_MANAGER = domain("manager", "domain_id");
    /** Keystone's domain_managed_target_role: the roles a domain manager may grant. */
    private static final Rule MANAGED_ROLE = (c, t) -> Set.of("manager", "member", "reader").contains(t.get("role_name"));

    private IdentityPolicy() {}

    public static Policy create() {
        Map<String, Rule> rules = new HashMap<>();
        Map<String, Boolean> targeted = new HashMap<>();

        put(rules, ADMIN, "create_domain", "update_domain", "delete_domain",
                "create_role", "update_role", "delete_role", "create_implied_role", "delete_implied_role",
                "create_system_grant", "revoke_system_grant",
                "create_service", "update_service", "delete_service",
                "create_endpoint", "update_endpoint", "delete_endpoint",
                "create_region", "update_region", "delete_region");
        put(rules, ADMIN_OR_SYSTEM_READER, "list_domains", "list_services", "get_service", "list_endpoints",
                "get_endpoint", "list_implied_roles", "get_implied_role", "check_implied_role",
                "list_role_inference_rules", "list_system_grants", "check_system_grant", "list_role_assignments_for_tree");
        put(rules, ANYONE, "list_regions", "get_region", "get_auth_catalog", "get_auth_projects",
                "get_auth_domains", "get_auth_system");

        // Rules that depend on the resource: the handler enforces them with the target.
        // A domain manager manages users, groups and projects of their domain, and grants the
        // roles Keystone lets managers hand out (domain_managed_target_role) within it.
        targeted(rules, targeted, ADMIN.or(DOMAIN_MANAGER), "create_project", "update_project", "delete_project",
                "create_project_tag", "update_project_tags", "delete_project_tag", "delete_project_tags",
                "create_user", "update_user", "delete_user", "create_group", "update_group", "delete_group");
        targeted(rules, targeted, ADMIN.or(DOMAIN_MANAGER.and(domain("manager", "user_domain_id"))),
                "add_user_to_group", "remove_user_from_group");
        targeted(rules, targeted, ADMIN.or(DOMAIN_MANAGER.and(domain("manager", "actor_domain_id")).and(MANAGED_ROLE)),
                "create_grant", "revoke_grant");
        Rule domainReader = ADMIN_OR_SYSTEM_READER.or(DOMAIN_READER);
        targeted(rules, targeted, domainReader, "list_users", "list_groups", "list_projects", "list_roles",
                "get_role", "get_group", "list_users_in_group", "check_user_in_group", "list_grants", "check_grant",
                "list_role_assignments");
        targeted(rules, targeted, domainReader.or(OWNER), "get_user", "list_groups_for_user");
        targeted(rules, targeted, ADMIN_OR_SYSTEM_READER.or(OWNER), "list_user_projects");
        targeted(rules, targeted, domainReader.or(project("reader", "project_id")), "get_project",
                "list_project_tags", "get_project_tag");
        targeted(rules, targeted, ADMIN_OR_SYSTEM_READER.or(domain("reader", "domain_id"))
                .or((c, t) -> t.get("domain_id") != null && t.get("domain_id").equals(c.projectDomainId())), "get_domain");
        targeted(rules, targeted, ADMIN.or(OWNER), "create_application_credential");
        targeted(rules, targeted, ADMIN_OR_SYSTEM_READER.or(OWNER), "get_application_credential",
                "list_application_credentials", "list_access_rules", "get_access_rule");
        targeted(rules, targeted, ADMIN.or(OWNER), "delete_application_credential");
        targeted(rules, targeted, ADMIN_OR_SYSTEM_READER.or(OWNER), "get_credential", "list_credentials",
                "ec2_get_credential", "ec2_list_credentials");
        targeted(rules, targeted, ADMIN.or(OWNER), "create_credential", "update_credential", "delete_credential");
        // EC2 keys act on the user's projects, so Keystone wants a member (not only a reader) for them.
        targeted(rules, targeted, ADMIN.or(Rule.role("member").and(OWNER)), "ec2_create_credential",
                "ec2_delete_credential");
        targeted(rules, targeted, ADMIN_OR_SYSTEM_READER.or(SERVICE).or(OWNER), "validate_token", "check_token");
        targeted(rules, targeted, ADMIN.or(SERVICE).or(OWNER), "revoke_token");

        Map<String, Rule> named = new HashMap<>();
        rules.forEach((name, rule) -> named.put("identity:" + name, rule));
        Set<String> targetedNames = Set.copyOf(targeted.keySet().stream().map(n -> "identity:" + n).toList());
        return new Policy(named, targetedNames);
    }

    private static void put(Map<String, Rule> rules, Rule rule, String... names) {
        for (String name : names) {
            rules.put(name, rule);
        }
    }

    private static void targeted(Map<String, Rule> rules, Map<String, Boolean> targeted, Rule rule, String... names) {
        put(rules, rule, names);
        for (String name : names) {
            targeted.put(name, true);
        }
    }
}
