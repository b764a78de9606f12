package org.nubes.compute.service;

import static org.nubes.core.db.Rows.instant;
import static org.nubes.core.db.Rows.timestamp;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.nubes.core.db.Rows;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;

/**
 * Host aggregates (os-aggregates): named groups of hosts with metadata. An aggregate with an
 * availability zone puts its hosts in that zone, so a host may belong to aggregates of one zone
 * only, as in Nova.
 */
public final class Aggregates {
    private static final TypeReference<TreeMap<String, String>> METADATA = new TypeReference<>() {};

    public record Aggregate(long id, String uuid, String name, String availabilityZone, Map<String, String> metadata,
            List<String> hosts, Instant createdAt, Instant updatedAt) {}

    private final Jdbi jdbi;
    private final Hosts hosts;

    public Aggregates(Jdbi jdbi, Hosts hosts) {
        this.jdbi = jdbi;
        this.hosts = hosts;
    }

    public List<Aggregate> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM aggregates ORDER BY id").mapTo(Long.class).list()
                .stream().map(id -> get(h, id).orElseThrow()).toList());
    }

    public Aggregate get(long id) {
        return jdbi.withHandle(h -> get(h, id))
                .orElseThrow(() -> ApiException.notFound("Aggregate %d could not be found.", id));
    }

    public Aggregate create(String name, String zone) {
        Instant now = Instant.now();
        long id = unique(name, () -> jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO aggregates (uuid, name, availability_zone, metadata, created_at)
                        VALUES (:uuid, :name, :zone, :metadata, :now)""")
                .bind("uuid", UUID.randomUUID().toString()).bind("name", name).bind("zone", zone)
                .bind("metadata", Json.string(zone == null ? Map.of() : Map.of("availability_zone", zone)))
                .bind("now", timestamp(now)).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one()));
        return get(id);
    }

    /** Renames and/or moves to another zone (null: unchanged). */
    public Aggregate update(long id, String name, String zone) {
        Aggregate current = get(id);
        if (zone != null) {
            checkZoneFree(current.hosts(), id, zone);
        }
        unique(name == null ? current.name() : name, () -> jdbi.withHandle(h -> {
            Map<String, String> metadata = new TreeMap<>(current.metadata());
            if (zone != null) {
                metadata.put("availability_zone", zone);
            }
            return h.createUpdate("""
                            UPDATE aggregates SET name = :name, availability_zone = :zone, metadata = :metadata,
                              updated_at = :now WHERE id = :id""")
                    .bind("id", id).bind("name", name == null ? current.name() : name)
                    .bind("zone", zone == null ? current.availabilityZone() : zone)
                    .bind("metadata", Json.string(metadata)).bind("now", timestamp(Instant.now())).execute();
        }));
        hosts.forget();
        return get(id);
    }

    public void delete(long id) {
        Aggregate aggregate = get(id);
        if (!aggregate.hosts().isEmpty()) {
            throw ApiException.badRequest("Cannot remove host from aggregate %d. Reason: Host aggregate is not empty.", id);
        }
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM aggregates WHERE id = :id").bind("id", id).execute());
        hosts.forget();
    }

    public Aggregate addHost(long id, String host) {
        Aggregate aggregate = get(id);
        if (hosts.get(host).isEmpty()) {
            throw ApiException.notFound("Compute host %s could not be found.", host);
        }
        if (aggregate.hosts().contains(host)) {
            throw ApiException.conflict("Aggregate %d already has host %s.", id, host);
        }
        if (aggregate.availabilityZone() != null) {
            checkZoneFree(List.of(host), id, aggregate.availabilityZone());
        }
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO aggregate_hosts (aggregate_id, host) VALUES (:a, :h)")
                .bind("a", id).bind("h", host).execute());
        hosts.forget();
        return get(id);
    }

    public Aggregate removeHost(long id, String host) {
        Aggregate aggregate = get(id);
        if (!aggregate.hosts().contains(host)) {
            throw ApiException.notFound("Cannot remove host %s in aggregate %d: not found", host, id);
        }
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM aggregate_hosts WHERE aggregate_id = :a AND host = :h")
                .bind("a", id).bind("h", host).execute());
        hosts.forget();
        return get(id);
    }

    /** Sets keys; a null value removes the key. "availability_zone" moves the aggregate's hosts. */
    public Aggregate setMetadata(long id, Map<String, String> changes) {
        Aggregate aggregate = get(id);
        Map<String, String> metadata = new TreeMap<>(aggregate.metadata());
        changes.forEach((key, value) -> {
            if (value == null) {
                metadata.remove(key);
            } else {
                metadata.put(key, value);
            }
        });
        String zone = metadata.get("availability_zone");
        if (zone != null && !zone.equals(aggregate.availabilityZone())) {
            checkZoneFree(aggregate.hosts(), id, zone);
        }
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE aggregates SET metadata = :metadata, availability_zone = :zone, updated_at = :now WHERE id = :id""")
                .bind("id", id).bind("metadata", Json.string(metadata)).bind("zone", zone)
                .bind("now", timestamp(Instant.now())).execute());
        hosts.forget();
        return get(id);
    }

    /** 409 when one of the hosts is in another aggregate of another zone. */
    private void checkZoneFree(List<String> members, long id, String zone) {
        for (Aggregate other : list()) {
            if (other.id() != id && other.availabilityZone() != null && !other.availabilityZone().equals(zone)
                    && other.hosts().stream().anyMatch(members::contains)) {
                throw ApiException.conflict("Cannot add host to aggregate %d. Reason: One or more hosts already in "
                        + "availability zone(s) [%s].", id, other.availabilityZone());
            }
        }
    }

    private static <T> T unique(String name, java.util.function.Supplier<T> write) {
        try {
            return write.get();
        } catch (UnableToExecuteStatementException e) {
            if (Rows.isUniqueViolation(e)) {
                throw ApiException.conflict("Aggregate %s already exists.", name);
            }
            throw e;
        }
    }

    private static Optional<Aggregate> get(Handle h, long id) {
        List<String> members = h.createQuery("SELECT host FROM aggregate_hosts WHERE aggregate_id = :a ORDER BY host")
                .bind("a", id).mapTo(String.class).list();
        return h.createQuery("SELECT * FROM aggregates WHERE id = :id").bind("id", id)
                .map((rs, c) -> new Aggregate(rs.getLong("id"), rs.getString("uuid"), rs.getString("name"),
                        rs.getString("availability_zone"), readMetadata(rs.getString("metadata")), members,
                        instant(rs, "created_at"), instant(rs, "updated_at")))
                .findOne();
    }

    private static Map<String, String> readMetadata(String json) {
        try {
            return Json.MAPPER.readValue(json, METADATA);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
