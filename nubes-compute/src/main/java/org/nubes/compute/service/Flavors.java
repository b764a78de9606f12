package org.nubes.compute.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.nubes.compute.store.Flavor;
import org.nubes.compute.store.FlavorStore;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.http.ApiException;

/**
 * Flavors: the sizes servers are built with. A private flavor is visible to admins and to the
 * projects it is shared with; a public one to everybody.
 */
public final class Flavors {
    /** The sort keys Nova accepts for flavor lists (vcpu_weight is never set here, so it sorts as null). */
    public static final List<String> SORT_KEYS = List.of("created_at", "description", "disabled", "ephemeral_gb",
            "flavorid", "id", "is_public", "memory_mb", "name", "root_gb", "rxtx_factor", "swap", "updated_at",
            "vcpu_weight", "vcpus");

    private static final List<Flavor> DEFAULTS = List.of(
            new Flavor("1", "m1.tiny", 1, 512, 1, 0, 0, 1.0, true, false, null, Map.of()),
            new Flavor("2", "m1.small", 1, 2048, 20, 0, 0, 1.0, true, false, null, Map.of()),
            new Flavor("3", "m1.medium", 2, 4096, 40, 0, 0, 1.0, true, false, null, Map.of()),
            new Flavor("4", "m1.large", 4, 8192, 80, 0, 0, 1.0, true, false, null, Map.of()),
            new Flavor("5", "m1.xlarge", 8, 16384, 160, 0, 0, 1.0, true, false, null, Map.of()));

    private final FlavorStore store;

    public Flavors(Jdbi jdbi) {
        this.store = new FlavorStore(jdbi);
    }

    /**
     * What a list asks for. {@code isPublic} null means public and private alike; {@code limit} is
     * already capped by the server's maximum.
     */
    public record Query(Boolean isPublic, Integer minRam, Integer minDisk, String sortKey, boolean descending,
            int limit, String marker) {}

    /** The flavor if the caller may use it: public ones, private ones their project has access to, any for admin. */
    public Optional<Flavor> find(String id, AuthContext caller) {
        return store.get(id).filter(r -> visible(r.flavor(), caller)).map(FlavorStore.Row::flavor);
    }

    /** As {@link #find}, or Nova's 404. */
    public Flavor get(String id, AuthContext caller) {
        return find(id, caller).orElseThrow(() -> notFound(id));
    }

    private boolean visible(Flavor f, AuthContext caller) {
        return caller.isAdmin() || f.isPublic()
                || (caller.projectId() != null && store.isSharedWith(f.id(), caller.projectId()));
    }

    static ApiException notFound(String id) {
        return ApiException.notFound("Flavor %s could not be found.", id);
    }

    /** Creates m1.tiny ... m1.xlarge when no flavor exists yet. */
    public void ensureDefaults() {
        if (store.isEmpty()) {
            // Another API node may be doing the same: then its flavors stand.
            store.insertAll(DEFAULTS, Instant.now());
        }
    }

    /**
     * The flavors a list shows, as Nova does: non-admins see enabled public flavors and those
     * shared with their project; admins choose with is_public. Sorted by the sort key and then the
     * integer id, starting after the marker (a flavor the caller can see, else 400).
     */
    public List<Flavor> list(AuthContext caller, Query query) {
        List<FlavorStore.Row> rows = store.all();
        Set<String> shared = caller.projectId() == null ? Set.of() : store.sharedWith(caller.projectId());
        List<FlavorStore.Row> visible = rows.stream()
                .filter(r -> caller.isAdmin() || r.flavor().isPublic() || shared.contains(r.flavor().id()))
                .toList();
        Comparator<FlavorStore.Row> order = order(query.sortKey());
        if (query.descending()) {
            order = order.reversed();
        }
        FlavorStore.Row marker = null;
        if (query.marker() != null) {
            marker = visible.stream().filter(r -> r.flavor().id().equals(query.marker())).findFirst()
                    .orElseThrow(() -> ApiException.badRequest("marker [%s] not found", query.marker()));
        }
        Boolean isPublic = caller.isAdmin() ? query.isPublic() : Boolean.TRUE;
        List<FlavorStore.Row> selected = new ArrayList<>();
        for (FlavorStore.Row r : visible) {
            Flavor f = r.flavor();
            if (!caller.isAdmin() && f.disabled()) {
                continue;
            }
            if (isPublic != null && f.isPublic() != isPublic
                    && !(isPublic && caller.projectId() != null && shared.contains(f.id()))) {
                continue;
            }
            if (query.minRam() != null && f.memoryMb() < query.minRam()) {
                continue;
            }
            if (query.minDisk() != null && f.rootGb() < query.minDisk()) {
                continue;
            }
            if (marker != null && order.compare(r, marker) <= 0) {
                continue;
            }
            selected.add(r);
        }
        selected.sort(order);
        return selected.stream().limit(query.limit()).map(FlavorStore.Row::flavor).toList();
    }

    private static Comparator<FlavorStore.Row> order(String sortKey) {
        Comparator<FlavorStore.Row> first = switch (sortKey) {
            case "created_at" -> by(FlavorStore.Row::createdAt);
            case "description" -> by(r -> r.flavor().description());
            case "disabled" -> by(r -> r.flavor().disabled());
            case "ephemeral_gb" -> by(r -> r.flavor().ephemeralGb());
            case "flavorid" -> by(r -> r.flavor().id());
            case "id" -> by(FlavorStore.Row::seq);
            case "is_public" -> by(r -> r.flavor().isPublic());
            case "memory_mb" -> by(r -> r.flavor().memoryMb());
            case "name" -> by(r -> r.flavor().name());
            case "root_gb" -> by(r -> r.flavor().rootGb());
            case "rxtx_factor" -> by(r -> r.flavor().rxtxFactor());
            case "swap" -> by(r -> r.flavor().swapMb());
            case "updated_at" -> by(FlavorStore.Row::updatedAt);
            case "vcpu_weight" -> (a, b) -> 0;
            case "vcpus" -> by(r -> r.flavor().vcpus());
            default -> throw new IllegalArgumentException("unknown sort key " + sortKey);
        };
        return first.thenComparingLong(FlavorStore.Row::seq);
    }

    /** Nulls first, as MySQL (Nova's usual database) sorts them ascending. */
    private static <T extends Comparable<? super T>> Comparator<FlavorStore.Row> by(Function<FlavorStore.Row, T> key) {
        return Comparator.comparing(key, Comparator.nullsFirst(Comparator.naturalOrder()));
    }

    /** Creates a flavor (its id a new UUID when none is given); 409 with Nova's messages when taken. */
    public Flavor create(Flavor flavor) {
        Flavor f = flavor.id() == null ? withId(flavor, UUID.randomUUID().toString()) : flavor;
        switch (store.insert(f, Instant.now())) {
            case CREATED -> { }
            case DUPLICATE_ID -> throw ApiException.conflict("Flavor with ID %s already exists.", f.id());
            case DUPLICATE_NAME -> throw ApiException.conflict("Flavor with name %s already exists.", f.name());
        }
        return f;
    }

    private static Flavor withId(Flavor f, String id) {
        return new Flavor(id, f.name(), f.vcpus(), f.memoryMb(), f.rootGb(), f.ephemeralGb(), f.swapMb(), f.rxtxFactor(),
                f.isPublic(), f.disabled(), f.description(), f.extraSpecs());
    }

    public void delete(String id) {
        if (!store.delete(id)) {
            throw notFound(id);
        }
    }

    /** Adds or replaces extra specs of a flavor the caller can see. */
    public void putExtraSpecs(String id, Map<String, String> specs, AuthContext caller) {
        get(id, caller);
        for (int attempt = 1; ; attempt++) {
            try {
                if (!store.putSpecs(id, specs, Instant.now())) {
                    throw notFound(id);
                }
                return;
            } catch (UnableToExecuteStatementException e) {
                // Two writers inserted the same new key at once: the loser tries again, as Nova does.
                if (!org.nubes.core.db.Rows.isUniqueViolation(e)) {
                    throw e;
                }
                if (attempt == 3) {
                    throw ApiException.conflict("Flavor %s extra spec cannot be updated or created after %d retries.",
                            id, attempt);
                }
            }
        }
    }

    public void deleteExtraSpec(String id, String key, AuthContext caller) {
        get(id, caller);
        if (!store.deleteSpec(id, key)) {
            throw ApiException.notFound("Flavor %s has no extra specs with key %s.", id, key);
        }
    }

    /** The projects a private flavor is shared with; 404 for a public one, as Nova. */
    public List<String> access(String id, AuthContext caller) {
        Flavor f = get(id, caller);
        if (f.isPublic()) {
            throw ApiException.notFound("Access list not available for public flavors.");
        }
        return store.projects(id);
    }

    /**
     * Shares a flavor with a project. Sharing a public flavor is a conflict from 2.7 on; before
     * it, Nova records the access all the same.
     */
    public List<String> addAccess(String id, String projectId, boolean refusePublic, AuthContext caller) {
        Flavor f = get(id, caller);
        if (refusePublic && f.isPublic()) {
            throw ApiException.conflict("Can not add access to a public flavor.");
        }
        if (!store.addProject(id, projectId)) {
            if (store.get(id).isEmpty()) {
                throw notFound(id);
            }
            throw ApiException.conflict("Flavor access already exists for flavor %s and project %s combination.",
                    id, projectId);
        }
        return store.projects(id);
    }

    public List<String> removeAccess(String id, String projectId, AuthContext caller) {
        get(id, caller);
        if (!store.removeProject(id, projectId)) {
            throw ApiException.notFound("Flavor access not found for %s / %s combination.", id, projectId);
        }
        return store.projects(id);
    }
}
