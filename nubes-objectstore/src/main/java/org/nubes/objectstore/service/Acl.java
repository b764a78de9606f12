package org.nubes.objectstore.service;

import java.util.ArrayList;
import java.util.List;
import org.nubes.core.auth.AuthContext;

/**
 * A container's X-Container-Read or X-Container-Write as keystoneauth reads it: comma-separated
 * elements, either referrer rules ({@code .r:*} lets anyone read objects, {@code .rlistings} also
 * lets them list) or grants {@code <project>:<user>} where each side is an id, a name, or {@code *}.
 * Referrers other than {@code *} are not honoured in this slice.
 */
public record Acl(boolean anyReferrer, boolean listings, List<Grant> grants) {
    public record Grant(String project, String user) {
        boolean matches(AuthContext caller) {
            return matches(project, caller.projectId(), projectName(caller)) && matches(user, caller.userId(), caller.user().name());
        }

        private static boolean matches(String pattern, String id, String name) {
            return pattern.equals("*") || pattern.equals(id) || (name != null && pattern.equals(name));
        }

        private static String projectName(AuthContext caller) {
            return caller.scope() instanceof AuthContext.Scope.Project p ? p.project().name() : null;
        }
    }

    public static final Acl NONE = new Acl(false, false, List.of());

    public static Acl parse(String header) {
        if (header == null || header.isBlank()) {
            return NONE;
        }
        boolean anyReferrer = false;
        boolean listings = false;
        List<Grant> grants = new ArrayList<>();
        for (String raw : header.split(",")) {
            String element = raw.strip();
            if (element.isEmpty()) {
                continue;
            }
            if (element.equals(".rlistings")) {
                listings = true;
            } else if (element.startsWith(".r:") || element.startsWith(".ref:") || element.startsWith(".referer:")
                    || element.startsWith(".referrer:")) {
                String value = element.substring(element.indexOf(':') + 1).strip();
                if (value.equals("*")) {
                    anyReferrer = true;
                }
            } else if (element.contains(":")) {
                int colon = element.indexOf(':');
                grants.add(new Grant(element.substring(0, colon).strip(), element.substring(colon + 1).strip()));
            }
        }
        return new Acl(anyReferrer, listings, List.copyOf(grants));
    }

    public boolean grants(AuthContext caller) {
        return caller != null && grants.stream().anyMatch(g -> g.matches(caller));
    }

    /** Whether anyone, with or without a token, may read objects (listing: and list the container). */
    public boolean publicRead(boolean listing) {
        return anyReferrer && (!listing || listings);
    }
}
