package org.nubes.identity.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.nubes.identity.store.Assignment;
import org.nubes.identity.store.CatalogService;
import org.nubes.identity.store.Domain;
import org.nubes.identity.store.Endpoint;
import org.nubes.identity.store.Project;
import org.nubes.identity.store.RevocationEvent;
import org.nubes.identity.store.Role;

/**
 * The identity data that every token validation reads, held in memory at one generation of
 * {@link org.nubes.identity.store.Changes}: projects, domains, roles and what they imply,
 * assignments, group memberships, the catalog and the revocation events.
 */
public record Snapshot(
        long generation,
        long loadedAtNanos,
        Map<String, Domain> domains,
        Map<String, Project> projects,
        Map<String, Role> roles,
        Map<String, Set<String>> implies,
        Map<String, List<Assignment>> assignmentsByActor,
        Map<String, List<String>> groupsOfUser,
        List<CatalogService> services,
        List<Endpoint> endpoints,
        List<RevocationEvent> revocations) {

    static Snapshot of(long generation, List<Domain> domains, List<Project> projects, List<Role> roles,
                       List<Map.Entry<String, String>> implications, List<Assignment> assignments,
                       List<Map.Entry<String, String>> memberships, List<CatalogService> services,
                       List<Endpoint> endpoints, List<RevocationEvent> revocations) {
        Map<String, Set<String>> implies = new HashMap<>();
        implications.forEach(e -> implies.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>()).add(e.getValue()));
        Map<String, List<String>> groupsOfUser = new HashMap<>();
        memberships.forEach(e -> groupsOfUser.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey()));
        return new Snapshot(generation, System.nanoTime(),
                index(domains, Domain::id), index(projects, Project::id), index(roles, Role::id), implies,
                assignments.stream().collect(Collectors.groupingBy(Assignment::actorId)),
                groupsOfUser, services, endpoints, revocations);
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> id) {
        return items.stream().collect(Collectors.toMap(id, Function.identity()));
    }

    /** A role and every role it implies, transitively; ordered prior first. */
    public Set<String> withImplied(Set<String> roleIds) {
        Set<String> out = new LinkedHashSet<>();
        List<String> work = new ArrayList<>(roleIds);
        while (!work.isEmpty()) {
            String id = work.removeFirst();
            if (out.add(id)) {
                work.addAll(implies.getOrDefault(id, Set.of()));
            }
        }
        return out;
    }

    /**
     * The roles a set of assigned roles gives: every implied role, without domain-specific roles,
     * which Keystone leaves out of tokens (they only serve to imply global roles).
     */
    private Set<String> effective(Set<String> direct) {
        Set<String> out = withImplied(direct);
        out.removeIf(id -> roles.containsKey(id) && roles.get(id).domainId() != null);
        return out;
    }

    /** The assignments of a user and of every group the user is in. */
    public List<Assignment> assignmentsOf(String userId) {
        List<Assignment> out = new ArrayList<>(assignmentsByActor.getOrDefault(userId, List.of()));
        for (String group : groupsOfUser.getOrDefault(userId, List.of())) {
            out.addAll(assignmentsByActor.getOrDefault(group, List.of()));
        }
        return out;
    }

    /** Role ids a user holds on a project: direct, through groups, and inherited from the domain or parents. */
    public Set<String> projectRoles(String userId, String projectId) {
        Project project = projects.get(projectId);
        if (project == null) {
            return Set.of();
        }
        Set<String> ancestors = ancestors(project);
        Set<String> direct = new LinkedHashSet<>();
        for (Assignment a : assignmentsOf(userId)) {
            boolean applies = switch (a.scope()) {
                case PROJECT -> a.inherited() ? ancestors.contains(a.targetId()) : a.targetId().equals(projectId);
                case DOMAIN -> a.inherited() && a.targetId().equals(project.domainId());
                case SYSTEM -> false;
            };
            if (applies) {
                direct.add(a.roleId());
            }
        }
        return effective(direct);
    }

    public Set<String> domainRoles(String userId, String domainId) {
        Set<String> direct = new LinkedHashSet<>();
        for (Assignment a : assignmentsOf(userId)) {
            if (a.scope() == Assignment.Scope.DOMAIN && !a.inherited() && a.targetId().equals(domainId)) {
                direct.add(a.roleId());
            }
        }
        return effective(direct);
    }

    public Set<String> systemRoles(String userId) {
        Set<String> direct = new LinkedHashSet<>();
        for (Assignment a : assignmentsOf(userId)) {
            if (a.scope() == Assignment.Scope.SYSTEM) {
                direct.add(a.roleId());
            }
        }
        return effective(direct);
    }

    public Set<String> ancestors(Project project) {
        Set<String> out = new LinkedHashSet<>();
        String parent = project.parentId();
        while (parent != null && out.add(parent)) {
            Project p = projects.get(parent);
            parent = p == null ? null : p.parentId();
        }
        return out;
    }

    /** Projects the user has any role on, enabled ones only (what /v3/auth/projects lists). */
    public List<Project> projectsOf(String userId) {
        return projects.values().stream()
                .filter(Project::enabled)
                .filter(p -> !projectRoles(userId, p.id()).isEmpty())
                .sorted(java.util.Comparator.comparing(Project::name))
                .toList();
    }

    public List<Domain> domainsOf(String userId) {
        return domains.values().stream()
                .filter(Domain::enabled)
                .filter(d -> !domainRoles(userId, d.id()).isEmpty())
                .sorted(java.util.Comparator.comparing(Domain::name))
                .toList();
    }

    public List<String> roleNames(Set<String> roleIds) {
        return roleIds.stream().map(roles::get).filter(java.util.Objects::nonNull).map(Role::name).toList();
    }
}
