package org.nubes.image.api;

import static org.nubes.core.auth.Rule.ADMIN;
import static org.nubes.core.auth.Rule.ANYONE;
import static org.nubes.core.auth.Rule.project;
import static org.nubes.core.auth.Rule.role;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.nubes.core.auth.Policy;
import org.nubes.core.auth.Rule;

/**
 * Glance's default policy (secure RBAC), with its rule names. Targets carry project_id and owner
 * (the image's owner), visibility, and member_id (the project whose membership is in question).
 * Which images a caller may see at all is decided by the service (404 for the others); these rules
 * decide what the caller may do with the ones it sees.
 */
public final class ImagePolicy {
    private static final Rule PROJECT_MEMBER = project("member", "project_id");
    private static final Rule PROJECT_READER = project("reader", "project_id");
    /** project_id:%(member_id)s */
    private static final Rule IMAGE_MEMBER = (c, t) -> c.projectId() != null && c.projectId().equals(t.get("member_id"));
    private static final Rule OPEN_VISIBILITY = (c, t) -> Set.of("public", "community", "shared").contains(t.get("visibility"));
    private static final Rule ANY_PROJECT_IMAGE = (c, t) -> PROJECT_READER.allows(c, t) || IMAGE_MEMBER.allows(c, t)
            || OPEN_VISIBILITY.allows(c, t);

    private ImagePolicy() {}

    public static Policy create() {
        Map<String, Rule> rules = new HashMap<>();
        Set<String> targeted = new HashSet<>();
        // Not targeted: checked before the handler runs.
        rules.put("get_images", ADMIN.or(role("reader")));
        rules.put("get_schemas", ANYONE);
        rules.put("get_info", ANYONE);

        Rule adminOrProjectMember = ADMIN.or(PROJECT_MEMBER);
        targeted(rules, targeted, adminOrProjectMember, "delete_image", "modify_image", "upload_image",
                "communitize_image", "add_member", "delete_member", "deactivate", "reactivate");
        targeted(rules, targeted, ADMIN.or(PROJECT_MEMBER.and(project("member", "owner"))), "add_image");
        targeted(rules, targeted, ADMIN, "publicize_image");
        targeted(rules, targeted, ADMIN.or(role("reader").and(ANY_PROJECT_IMAGE)), "get_image");
        targeted(rules, targeted, ADMIN.or(role("member").and(ANY_PROJECT_IMAGE)), "download_image");
        targeted(rules, targeted, ADMIN.or(role("reader").and(PROJECT_READER.or(IMAGE_MEMBER))), "get_member", "get_members");
        targeted(rules, targeted, ADMIN.or(role("member").and(IMAGE_MEMBER)), "modify_member");
        return new Policy(rules, targeted);
    }

    private static void targeted(Map<String, Rule> rules, Set<String> targeted, Rule rule, String... names) {
        for (String name : names) {
            rules.put(name, rule);
            targeted.add(name);
        }
    }
}
