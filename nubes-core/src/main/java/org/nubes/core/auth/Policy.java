package org.nubes.core.auth;

import java.util.Map;
import java.util.Set;
import org.nubes.core.http.ApiException;

/**
 * One service's named policy rules. Rules listed as targeted depend on the resource and are
 * enforced by the handler once it knows the target; the others are enforced before the handler.
 */
public final class Policy {
    private final Map<String, Rule> rules;
    private final Set<String> targeted;

    public Policy(Map<String, Rule> rules, Set<String> targeted) {
        this.rules = Map.copyOf(rules);
        this.targeted = Set.copyOf(targeted);
        for (String name : targeted) {
            rule(name);
        }
    }

    public boolean isTargeted(String name) {
        return targeted.contains(name);
    }

    public boolean allows(String name, AuthContext caller, Target target) {
        return rule(name).allows(caller, target);
    }

    /** Throws the 403 every service answers when a rule denies. */
    public void enforce(String name, AuthContext caller, Target target) {
        if (!allows(name, caller, target)) {
            throw ApiException.forbidden(
                    "You are not authorized to perform the requested action: %s.", name);
        }
    }

    public Set<String> names() {
        return rules.keySet();
    }

    private Rule rule(String name) {
        Rule rule = rules.get(name);
        if (rule == null) {
            throw new IllegalArgumentException("no policy rule named " + name);
        }
        return rule;
    }
}
