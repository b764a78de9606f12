package org.nubes.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.javalin.router.ParsedEndpoint;
import io.javalin.security.RouteRole;
import io.javalin.security.Roles;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nubes.core.auth.Access;
import org.nubes.core.http.HttpService;
import org.nubes.core.http.Routes;

/**
 * The route-table walk of DESIGN.md practice 3, shared by every service's route-table test: it
 * builds the service's Javalin app (without listening) and fails on a route that declares no
 * {@link Access}, declares more than one, names a policy rule the service does not have, or was
 * registered behind {@link Routes}' back.
 */
public final class RouteTables {
    private RouteTables() {}

    /** Builds the app of {@code http} and walks Javalin's own router; returns the route table. */
    public static List<Routes.Route> assertEveryRouteDeclaresAccess(HttpService http) {
        Javalin app = http.build();
        List<ParsedEndpoint> endpoints = app.unsafe.internalRouter.allHttpHandlers().stream()
                .filter(e -> e.endpoint.method.isHttpMethod())
                .toList();
        assertThat(endpoints).as("HTTP routes of %s", http.service().name()).isNotEmpty();
        Set<String> rules = http.service().policy().names();
        Set<Routes.Route> seen = new HashSet<>();
        for (ParsedEndpoint e : endpoints) {
            String route = e.endpoint.method + " " + e.endpoint.path;
            Roles roles = e.endpoint.metadata(Roles.class);
            Set<RouteRole> declared = roles == null ? Set.of() : roles.getRoles();
            List<Access> access = declared.stream().filter(Access.class::isInstance).map(Access.class::cast).toList();
            assertThat(access).as("access declared by %s", route).hasSize(1);
            if (access.getFirst() instanceof Access.Rule rule) {
                assertThat(rules).as("policy rule %s of %s", rule.name(), route).contains(rule.name());
            }
            Routes.Route entry = new Routes.Route(e.endpoint.method, e.endpoint.path, access.getFirst());
            assertThat(http.routeTable()).as("route table has %s", route).contains(entry);
            assertThat(seen.add(entry)).as("%s registered once", route).isTrue();
        }
        assertThat(http.routeTable()).as("route table of %s", http.service().name()).hasSameSizeAs(endpoints);
        return http.routeTable();
    }
}
