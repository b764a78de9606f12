package org.nubes.network.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;
import org.nubes.network.store.ResourceStore;
import org.nubes.network.store.ResourceStore.Row;

/**
 * What every Neutron resource shares: its transaction, its standard attributes (ids, project,
 * timestamps, revision number, tags), who may see it, and its tags.
 */
public final class Resources {
    private static final int MAX_TAGS = 50;
    private static final int MAX_TAG_LENGTH = 60;

    private final Jdbi jdbi;
    private final ResourceStore store;
    private volatile java.util.function.Consumer<Map<String, Row>> committed = rows -> {};

    public Resources(Jdbi jdbi, ResourceStore store) {
        this.jdbi = jdbi;
        this.store = store;
    }

    public ResourceStore store() {
        return store;
    }

    /**
     * Runs one request's checks and writes in one transaction, then tells the listener which rows
     * it changed. Work inside a transaction takes its handle and never starts another.
     */
    public <T> T transaction(HandleCallback<T, RuntimeException> work) {
        T result;
        try {
            result = jdbi.inTransaction(work);
        } catch (RuntimeException e) {
            store.takeWritten(); // rolled back: nothing changed
            throw e;
        }
        Map<String, Row> changed = store.takeWritten();
        if (!changed.isEmpty()) {
            committed.accept(changed);
        }
        return result;
    }

    /**
     * Who hears of every committed change: the rows written, as last written, by id (null for a
     * deleted one): the host's dataplane, the compute notifier.
     */
    public void onCommit(java.util.function.Consumer<Map<String, Row>> listener) {
        this.committed = listener;
    }

    /** Neutron's timestamps: UTC to the second. */
    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * The project a new resource belongs to: the caller's, or the one an admin names with
     * project_id (or its older name tenant_id).
     */
    public static String project(Caller caller, Input input) {
        String named = input.string("project_id", input.string("tenant_id", null));
        if (named == null || named.equals(caller.projectId())) {
            if (caller.projectId() == null) {
                throw ApiException.badRequest("'project_id' is required: the token is not scoped to a project");
            }
            return caller.projectId();
        }
        if (!caller.admin()) {
            throw ApiException.badRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated project "
                    + "in request requires admin privileges");
        }
        return named;
    }

    /**
     * A new row of the kind: the attributes given, in order, after its id and before the standard
     * attributes every resource carries.
     */
    public Row insert(Handle h, Kind kind, String projectId, String parentId, ObjectNode attributes) {
        return insert(h, kind, UUID.randomUUID().toString(), projectId, parentId, attributes);
    }

    /** With an id chosen before, for a port whose addresses are claimed in its name first. */
    public Row insert(Handle h, Kind kind, String id, String projectId, String parentId, ObjectNode attributes) {
        ObjectNode body = Json.object();
        body.put("id", id);
        body.setAll(attributes);
        body.put("project_id", projectId).put("tenant_id", projectId);
        if (kind != Kind.RBAC_POLICY) {
            if (!body.has("description")) {
                body.put("description", "");
            }
            String now = now();
            body.put("created_at", now).put("updated_at", now).put("revision_number", 0);
        }
        if (kind.taggable()) {
            body.putArray("tags");
        }
        Row row = new Row(kind.singular, id, projectId, parentId, device(kind.singular, body), body);
        store.insert(h, row);
        return row;
    }

    /**
     * Locks the network's row for the rest of the transaction and returns it as it is now, or
     * 404 when it was deleted meanwhile. What changes a network's subnets or addresses takes it,
     * so that no port lands on a network or subnet being deleted and no two subnets overlap. A
     * transaction that also locks its project locks the project first.
     */
    public Row lockNetwork(Handle h, String networkId) {
        store.lock(h, "network:" + networkId);
        return store.find(h, Kind.NETWORK.singular, networkId).orElseThrow(() -> Kind.NETWORK.notFound(networkId));
    }

    /** Writes a changed row, as a new revision. */
    public Row save(Handle h, Row row) {
        ObjectNode body = row.body();
        if (body.has("revision_number")) {
            body.put("revision_number", body.path("revision_number").asLong() + 1).put("updated_at", now());
        }
        Row saved = new Row(row.kind(), row.id(), row.projectId(), row.parentId(), device(row.kind(), body), body);
        store.update(h, saved);
        return saved;
    }

    /**
     * The device column, by which rows are found from what they belong to: a port's device_id (its
     * server, router or floating IP), a floating IP's port_id.
     */
    private static String device(String kind, ObjectNode body) {
        return switch (kind) {
            case "port" -> body.path("device_id").asText();
            case "floatingip" -> body.path("port_id").asText(null);
            default -> null;
        };
    }

    /** The resource if the caller may see it, else the kind's 404. */
    public Row get(Handle h, Caller caller, Kind kind, String id) {
        return store.find(h, kind.singular, id).filter(row -> visible(h, caller, row)).orElseThrow(() -> kind.notFound(id));
    }

    /** The resource the caller may change: visible and their own (or they are admin), else 404. */
    public Row owned(Handle h, Caller caller, Kind kind, String id) {
        Row row = get(h, caller, kind, id);
        if (!caller.owns(row.projectId())) {
            throw kind.notFound(id);
        }
        return row;
    }

    public List<Row> visible(Handle h, Caller caller, Kind kind) {
        if (caller.admin()) {
            return store.all(h, kind.singular);
        }
        return switch (kind) {
            case NETWORK, SUBNET, RBAC_POLICY -> store.all(h, kind.singular).stream().filter(r -> visible(h, caller, r)).toList();
            default -> store.ofProject(h, kind.singular, caller.projectId());
        };
    }

    /**
     * Projects see their own resources; besides, everyone sees shared and external networks and
     * the subnets of shared networks, and a project sees what RBAC policies share with it.
     */
    public boolean visible(Handle h, Caller caller, Row row) {
        if (caller.owns(row.projectId())) {
            return true;
        }
        return switch (row.kind()) {
            case "network" -> row.body().path("shared").asBoolean() || row.body().path("router:external").asBoolean()
                    || granted(h, caller, row.id(), null);
            case "subnet" -> store.find(h, "network", row.parentId())
                    .map(net -> net.body().path("shared").asBoolean() || granted(h, caller, net.id(), "access_as_shared"))
                    .orElse(false);
            case "rbac_policy" -> caller.projectId() != null && caller.projectId().equals(row.body().path("target_tenant").asText());
            default -> false;
        };
    }

    /** Whether an RBAC policy gives the caller's project the network (with the action, or any when null). */
    public boolean granted(Handle h, Caller caller, String networkId, String action) {
        return store.children(h, "rbac_policy", networkId).stream().map(Row::body).anyMatch(policy -> {
            String target = policy.path("target_tenant").asText();
            return (action == null || action.equals(policy.path("action").asText()))
                    && (target.equals("*") || target.equals(caller.projectId()));
        });
    }

    /** A page of the collection as the caller sees it, filtered and sorted by the query. */
    public Listing.Page list(Caller caller, Collection collection, Map<String, List<String>> query, int limit) {
        collection.beforeRead(caller);
        return transaction(h -> {
            List<ObjectNode> views = visible(h, caller, collection.kind()).stream().map(row -> collection.view(h, caller, row)).toList();
            return Listing.apply(views, query, limit);
        });
    }

    public ObjectNode show(Caller caller, Collection collection, String id) {
        collection.beforeRead(caller);
        return transaction(h -> collection.view(h, caller, get(h, caller, collection.kind(), id)));
    }

    public ObjectNode create(Caller caller, Collection collection, JsonNode request) {
        return transaction(h -> collection.view(h, caller, collection.create(h, caller, request)));
    }

    /** Bulk create ({"networks": [...]}): all of them, or none. */
    public ArrayNode createAll(Caller caller, Collection collection, JsonNode items) {
        if (!items.isArray() || items.isEmpty()) {
            throw ApiException.badRequest("Resources required: a non-empty list of %s", collection.kind().plural());
        }
        return transaction(h -> {
            ArrayNode created = Json.array();
            for (JsonNode item : items) {
                ObjectNode request = Json.object();
                request.set(collection.kind().singular, item);
                created.add(collection.view(h, caller, collection.create(h, caller, request)));
            }
            return created;
        });
    }

    public ObjectNode update(Caller caller, Collection collection, String id, JsonNode request) {
        return transaction(h -> collection.view(h, caller, collection.update(h, caller, id, request)));
    }

    public void delete(Caller caller, Collection collection, String id) {
        transaction(h -> {
            collection.delete(h, caller, id);
            return null;
        });
    }

    public List<String> tags(Caller caller, Kind kind, String id) {
        return transaction(h -> tagsOf(get(h, caller, kind, id)));
    }

    /** The tag if the resource has it, else 404 as Neutron's TagNotFound. */
    public void checkTag(Caller caller, Kind kind, String id, String tag) {
        if (!tags(caller, kind, id).contains(tag)) {
            throw NeutronError.notFound("TagNotFound", "Tag %s could not be found for %s %s.", tag, kind.singular, id);
        }
    }

    /** Replaces the tags of a resource (all of them, or adds one when adding is true). */
    public List<String> changeTags(Caller caller, Kind kind, String id, List<String> tags, boolean adding) {
        return transaction(h -> {
            Row row = owned(h, caller, kind, id);
            Set<String> updated = new LinkedHashSet<>(adding ? tagsOf(row) : List.of());
            for (String tag : tags) {
                if (tag.isEmpty() || tag.length() > MAX_TAG_LENGTH || tag.contains(",")) {
                    throw NeutronError.invalidInput("'%s' is not a valid tag: a tag has 1 to %d characters, no comma.",
                            tag, MAX_TAG_LENGTH);
                }
                updated.add(tag);
            }
            if (updated.size() > MAX_TAGS) {
                throw NeutronError.invalidInput("a resource has at most %d tags.", MAX_TAGS);
            }
            return writeTags(h, row, updated);
        });
    }

    public void removeTag(Caller caller, Kind kind, String id, String tag) {
        transaction(h -> {
            Row row = owned(h, caller, kind, id);
            Set<String> tags = new HashSet<>(tagsOf(row));
            if (tag != null && !tags.remove(tag)) {
                throw NeutronError.notFound("TagNotFound", "Tag %s could not be found for %s %s.", tag, kind.singular, id);
            }
            return writeTags(h, row, tag == null ? Set.of() : tags);
        });
    }

    private List<String> writeTags(Handle h, Row row, Set<String> tags) {
        ArrayNode array = row.body().putArray("tags");
        tags.stream().sorted().forEach(array::add);
        save(h, row);
        return tagsOf(row);
    }

    private static List<String> tagsOf(Row row) {
        List<String> tags = new java.util.ArrayList<>();
        row.body().path("tags").forEach(t -> tags.add(t.asText()));
        return tags;
    }
}
