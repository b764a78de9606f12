package org.nubes.identity.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nubes.identity.store.Assignment;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Project;

/**
 * GET /v3/role_assignments: the assignments as stored or, with effective, as they take effect:
 * group assignments become one per member, inherited ones one per project below their target,
 * and every role brings the roles it implies.
 */
public final class RoleAssignments {
    /**
     * One line of the answer. {@code source} is the stored assignment it comes from; viaGroup and
     * priorRole say how an effective line was derived from it.
     */
    public record Line(Assignment source, Assignment.Actor actor, String actorId, Assignment.Scope scope,
                       String targetId, String roleId, boolean inherited, String viaGroup, String priorRole) {}

    /** The filters of the query; null means "any". */
    public record Query(String userId, String groupId, String roleId, String projectId, String domainId,
                        boolean system, boolean inheritedOnly, boolean effective, boolean includeSubtree) {}

    private final IdentityStores stores;
    private final Directory directory;

    public RoleAssignments(IdentityStores stores, Directory directory) {
        this.stores = stores;
        this.directory = directory;
    }

    public List<Line> list(Query q) {
        Snapshot snapshot = directory.current();
        List<Line> lines = new ArrayList<>();
        for (Assignment a : stores.assignments().all()) {
            lines.add(new Line(a, a.actor(), a.actorId(), a.scope(), a.targetId(), a.roleId(), a.inherited(), null, null));
        }
        if (q.effective()) {
            lines = expandGroups(lines, snapshot);
            lines = expandInherited(lines, snapshot);
            lines = expandImplied(lines, snapshot);
            // A domain-specific role only stands for the global roles it implies; it is not itself effective.
            lines = lines.stream().filter(l -> snapshot.roles().containsKey(l.roleId())
                    && snapshot.roles().get(l.roleId()).domainId() == null).toList();
        }
        List<String> projects = q.projectId() == null ? null : scopeProjects(q, snapshot);
        return lines.stream()
                .filter(l -> q.userId() == null || (l.actor() == Assignment.Actor.USER && l.actorId().equals(q.userId())))
                .filter(l -> q.groupId() == null || (l.actor() == Assignment.Actor.GROUP && l.actorId().equals(q.groupId())))
                .filter(l -> q.roleId() == null || l.roleId().equals(q.roleId()))
                .filter(l -> projects == null || (l.scope() == Assignment.Scope.PROJECT && projects.contains(l.targetId())))
                .filter(l -> q.domainId() == null || (l.scope() == Assignment.Scope.DOMAIN && l.targetId().equals(q.domainId())))
                .filter(l -> !q.system() || l.scope() == Assignment.Scope.SYSTEM)
                .filter(l -> !q.inheritedOnly() || l.inherited())
                .toList();
    }

    private static List<String> scopeProjects(Query q, Snapshot snapshot) {
        List<String> ids = new ArrayList<>();
        ids.add(q.projectId());
        if (q.includeSubtree()) {
            for (Project p : snapshot.projects().values()) {
                if (snapshot.ancestors(p).contains(q.projectId())) {
                    ids.add(p.id());
                }
            }
        }
        return ids;
    }

    private static List<Line> expandGroups(List<Line> lines, Snapshot snapshot) {
        List<Line> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.actor() == Assignment.Actor.USER) {
                out.add(l);
                continue;
            }
            for (Map.Entry<String, List<String>> member : snapshot.groupsOfUser().entrySet()) {
                if (member.getValue().contains(l.actorId())) {
                    out.add(new Line(l.source(), Assignment.Actor.USER, member.getKey(), l.scope(), l.targetId(),
                            l.roleId(), l.inherited(), l.actorId(), null));
                }
            }
        }
        return out;
    }

    /** An inherited assignment applies to the projects below its target, not to the target itself. */
    private static List<Line> expandInherited(List<Line> lines, Snapshot snapshot) {
        List<Line> out = new ArrayList<>();
        for (Line l : lines) {
            if (!l.inherited()) {
                out.add(l);
                continue;
            }
            for (Project p : snapshot.projects().values()) {
                boolean below = l.scope() == Assignment.Scope.DOMAIN
                        ? p.domainId().equals(l.targetId())
                        : snapshot.ancestors(p).contains(l.targetId());
                if (below) {
                    out.add(new Line(l.source(), l.actor(), l.actorId(), Assignment.Scope.PROJECT, p.id(), l.roleId(),
                            false, l.viaGroup(), null));
                }
            }
        }
        return out;
    }

    private static List<Line> expandImplied(List<Line> lines, Snapshot snapshot) {
        List<Line> out = new ArrayList<>();
        for (Line l : lines) {
            out.add(l);
            for (String implied : snapshot.withImplied(java.util.Set.of(l.roleId()))) {
                if (!implied.equals(l.roleId())) {
                    out.add(new Line(l.source(), l.actor(), l.actorId(), l.scope(), l.targetId(), implied, l.inherited(),
                            l.viaGroup(), l.roleId()));
                }
            }
        }
        return out;
    }
}
