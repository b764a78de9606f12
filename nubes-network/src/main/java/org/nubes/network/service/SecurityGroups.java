package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.nubes.core.json.Json;
import org.nubes.network.store.ResourceStore;
import org.nubes.network.store.ResourceStore.Row;

/**
 * Security groups: every project has a "default" group, made on first use with Neutron's default
 * rules, that cannot be removed; a group in use by a port cannot be removed either.
 */
public final class SecurityGroups implements Collection {
    static final String DEFAULT = "default";
    private static final Set<String> CREATE = Set.of("name", "description", "project_id", "tenant_id");
    private static final Set<String> UPDATE = Set.of("name", "description");

    private final Resources resources;
    private final ResourceStore store;
    private final Quotas quotas;

    public SecurityGroups(Resources resources, Quotas quotas) {
        this.resources = resources;
        this.store = resources.store();
        this.quotas = quotas;
    }

    @Override
    public Kind kind() {
        return Kind.SECURITY_GROUP;
    }

    @Override
    public void beforeRead(Caller caller) {
        if (caller.projectId() != null) {
            resources.transaction(h -> ensureDefault(h, caller.projectId()));
        }
    }

    /**
     * The project's default group, made now if it has none: egress to anywhere over IPv4 and IPv6,
     * ingress from members of the group itself. Only making it takes the project's lock (after
     * which it looks again), so that reads of a project that has one never wait on each other.
     */
    public String ensureDefault(Handle h, String project) {
        return findDefault(h, project).orElseGet(() -> {
            quotas.lockProject(h, project);
            return findDefault(h, project).orElseGet(() -> insertDefault(h, project));
        });
    }

    private Optional<String> findDefault(Handle h, String project) {
        return store.ofProject(h, "security_group", project).stream()
                .filter(group -> group.body().path("name").asText().equals(DEFAULT)).map(Row::id).findFirst();
    }

    private String insertDefault(Handle h, String project) {
        Row group = resources.insert(h, Kind.SECURITY_GROUP, project, null,
                Json.object().put("name", DEFAULT).put("description", "Default security group"));
        for (String ethertype : new String[] {"IPv4", "IPv6"}) {
            insertRule(h, group, "egress", ethertype, null);
            insertRule(h, group, "ingress", ethertype, group.id());
        }
        return group.id();
    }

    @Override
    public Row create(Handle h, Caller caller, JsonNode request) {
        Input in = Input.of(request, "security_group", "POST", CREATE);
        String project = Resources.project(caller, in);
        String name = in.string("name", "");
        ensureDefault(h, project);
        if (name.equals(DEFAULT)) {
            throw NeutronError.conflict("SecurityGroupDefaultAlreadyExists", "Default security group already exists.");
        }
        quotas.check(h, project, Kind.SECURITY_GROUP, 1);
        Row group = resources.insert(h, Kind.SECURITY_GROUP, project, null,
                Json.object().put("name", name).put("description", in.string("description", "")));
        for (String ethertype : new String[] {"IPv4", "IPv6"}) {
            insertRule(h, group, "egress", ethertype, null);
        }
        return group;
    }

    /** A rule Neutron makes itself, in a new group. */
    private void insertRule(Handle h, Row group, String direction, String ethertype, String remoteGroup) {
        ObjectNode attributes = Json.object()
                .put("security_group_id", group.id())
                .put("direction", direction)
                .put("ethertype", ethertype)
                .putNull("protocol")
                .putNull("port_range_min")
                .putNull("port_range_max")
                .putNull("remote_ip_prefix")
                .put("remote_group_id", remoteGroup)
                .put("description", "");
        resources.insert(h, Kind.SECURITY_GROUP_RULE, group.projectId(), group.id(), attributes);
    }

    @Override
    public Row update(Handle h, Caller caller, String id, JsonNode request) {
        Input in = Input.of(request, "security_group", "PUT", UPDATE);
        Row row = resources.owned(h, caller, Kind.SECURITY_GROUP, id);
        ObjectNode body = row.body();
        String name = in.string("name", body.path("name").asText());
        if (body.path("name").asText().equals(DEFAULT) && !name.equals(DEFAULT)) {
            throw NeutronError.conflict("SecurityGroupCannotUpdateDefault", "Updating default security group not allowed.");
        }
        if (!body.path("name").asText().equals(DEFAULT) && name.equals(DEFAULT)) {
            throw NeutronError.conflict("SecurityGroupDefaultAlreadyExists", "Default security group already exists.");
        }
        body.put("name", name).put("description", in.string("description", body.path("description").asText()));
        return resources.save(h, row);
    }

    @Override
    public void delete(Handle h, Caller caller, String id) {
        Row row = resources.owned(h, caller, Kind.SECURITY_GROUP, id);
        if (row.body().path("name").asText().equals(DEFAULT) && !caller.admin()) {
            throw NeutronError.conflict("SecurityGroupCannotRemoveDefault", "Removing default security group not allowed.");
        }
        for (Row port : store.ofProject(h, "port", row.projectId())) {
            for (JsonNode group : port.body().path("security_groups")) {
                if (group.asText().equals(id)) {
                    throw NeutronError.conflict("SecurityGroupInUse", "Security Group %s in use.", id);
                }
            }
        }
        Set<String> groupsOfRules = new HashSet<>();
        for (Row rule : store.ofProject(h, "security_group_rule", row.projectId())) {
            if (rule.parentId().equals(id) || id.equals(rule.body().path("remote_group_id").asText(null))) {
                store.delete(h, rule.id());
                groupsOfRules.add(rule.parentId());
            }
        }
        store.delete(h, id);
        groupsOfRules.forEach(group -> revise(h, group)); // the other groups, whose rules named this one
    }

    /**
     * A rule added or removed is a new revision of its group, as in Neutron. The commit then
     * carries the group, which is how the hosts hear of a rule that went away.
     */
    void revise(Handle h, String groupId) {
        store.find(h, "security_group", groupId).ifPresent(group -> resources.save(h, group));
    }

    @Override
    public ObjectNode view(Handle h, Caller caller, Row row) {
        ObjectNode view = row.body().deepCopy();
        var list = view.putArray("security_group_rules");
        store.children(h, "security_group_rule", row.id()).forEach(rule -> list.add(rule.body()));
        return view;
    }
}
