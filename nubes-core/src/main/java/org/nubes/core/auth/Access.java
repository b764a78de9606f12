package org.nubes.core.auth;

import io.javalin.security.RouteRole;

/**
 * Who may call a route. Every route declares one; a route without it does not register.
 * {@link Public} routes need no token; {@link Rule} routes need a valid token and the named policy
 * rule of the service, as upstream names them (for example {@code identity:get_user}).
 */
public sealed interface Access extends RouteRole {
    record Public() implements Access {}

    record Rule(String name) implements Access {}

    Access PUBLIC = new Public();

    static Access rule(String name) {
        return new Rule(name);
    }
}
