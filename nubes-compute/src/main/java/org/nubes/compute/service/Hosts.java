package org.nubes.compute.service;

import static org.nubes.core.db.Rows.instant;
import static org.nubes.core.db.Rows.timestamp;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The compute hosts: one nova-compute service per host and the node its driver reports, as the
 * agents last wrote them. A host is up while its agent reported within the service down time.
 * The scheduler reads them for every decision, so they are kept for a second; a change made
 * through this class is seen at once, one made on another node within that second.
 */
public final class Hosts {
    public static final String BINARY = "nova-compute";

    /** A compute service and its node (null until the first report of resources). */
    public record Host(String serviceId, long serviceSeq, String host, String zone, boolean disabled,
            String disabledReason, boolean forcedDown, Instant lastSeenAt, Instant updatedAt, Node node) {}

    /** What a host's driver reports having. */
    public record Node(String id, long seq, String hypervisorHostname, String hypervisorType, int hypervisorVersion,
            String hostIp, int vcpus, int memoryMb, int diskGb, String cpuInfo) {}

    private static final long CACHE_NANOS = 1_000_000_000L;

    private final Jdbi jdbi;
    private final Duration downTime;
    private volatile List<Host> cached;
    private volatile long cachedAt;

    public Hosts(Jdbi jdbi, Duration downTime) {
        this.jdbi = jdbi;
        this.downTime = downTime;
    }

    public List<Host> all() {
        List<Host> hosts = cached;
        if (hosts != null && System.nanoTime() - cachedAt < CACHE_NANOS) {
            return hosts;
        }
        hosts = read();
        cached = hosts;
        cachedAt = System.nanoTime();
        return hosts;
    }

    /** Drops the kept hosts, so the next read sees a change made elsewhere (aggregates). */
    public void forget() {
        cached = null;
    }

    private void changed() {
        forget();
    }

    private List<Host> read() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT s.id AS sid, s.seq AS sseq, s.host,
                          COALESCE((SELECT MIN(a.availability_zone) FROM aggregates a JOIN aggregate_hosts ah ON ah.aggregate_id = a.id
                                    WHERE ah.host = s.host AND a.availability_zone IS NOT NULL), s.zone) AS zone, s.disabled, s.disabled_reason, s.forced_down,
                          s.last_seen_at, s.updated_at AS s_updated, n.id AS nid, n.seq AS nseq, n.hypervisor_hostname,
                          n.hypervisor_type, n.hypervisor_version, n.host_ip, n.vcpus, n.memory_mb, n.local_gb, n.cpu_info
                        FROM compute_services s LEFT JOIN compute_nodes n ON n.service_id = s.id
                        WHERE s.binary_name = :b ORDER BY s.seq""")
                .bind("b", BINARY)
                .map((rs, c) -> new Host(rs.getString("sid"), rs.getLong("sseq"), rs.getString("host"), rs.getString("zone"),
                        rs.getBoolean("disabled"), rs.getString("disabled_reason"), rs.getBoolean("forced_down"),
                        instant(rs, "last_seen_at"), instant(rs, "s_updated"),
                        rs.getString("nid") == null ? null : new Node(rs.getString("nid"), rs.getLong("nseq"),
                                rs.getString("hypervisor_hostname"), rs.getString("hypervisor_type"),
                                rs.getInt("hypervisor_version"), rs.getString("host_ip"), rs.getInt("vcpus"),
                                rs.getInt("memory_mb"), rs.getInt("local_gb"), rs.getString("cpu_info"))))
                .list());
    }

    public Optional<Host> get(String host) {
        return all().stream().filter(h -> h.host().equals(host)).findFirst();
    }

    public boolean isUp(Host host) {
        return !host.forcedDown() && host.lastSeenAt() != null && host.lastSeenAt().isAfter(Instant.now().minus(downTime));
    }

    public boolean isUp(String host) {
        return get(host).map(this::isUp).orElse(false);
    }

    /** The zones that have a compute host. */
    public Set<String> zones() {
        Set<String> zones = new TreeSet<>();
        all().forEach(h -> zones.add(h.zone()));
        return zones;
    }

    /**
     * An agent's report: creates its service on the first one (enabled, in the zone), refreshes
     * the time it was last seen, and writes what its driver has.
     */
    public void report(String host, String zone, Node node) {
        Instant now = Instant.now();
        jdbi.useTransaction(h -> {
            String serviceId = h.createQuery("SELECT id FROM compute_services WHERE host = :h AND binary_name = :b")
                    .bind("h", host).bind("b", BINARY).mapTo(String.class).findOne().orElse(null);
            if (serviceId == null) {
                serviceId = UUID.randomUUID().toString();
                h.createUpdate("""
                                INSERT INTO compute_services (id, host, binary_name, zone, disabled, forced_down, last_seen_at,
                                  created_at, updated_at)
                                VALUES (:id, :h, :b, :z, FALSE, FALSE, :now, :now, :now)""")
                        .bind("id", serviceId).bind("h", host).bind("b", BINARY).bind("z", zone)
                        .bind("now", timestamp(now)).execute();
            } else {
                h.createUpdate("UPDATE compute_services SET last_seen_at = :now, zone = :z WHERE id = :id")
                        .bind("id", serviceId).bind("z", zone).bind("now", timestamp(now)).execute();
            }
            int updated = h.createUpdate("""
                            UPDATE compute_nodes SET host = :h, hypervisor_type = :type, hypervisor_version = :version,
                              host_ip = :ip, vcpus = :vcpus, memory_mb = :ram, local_gb = :disk, cpu_info = :cpu,
                              updated_at = :now, service_id = :sid
                            WHERE hypervisor_hostname = :name""")
                    .bind("h", host).bind("type", node.hypervisorType()).bind("version", node.hypervisorVersion())
                    .bind("ip", node.hostIp()).bind("vcpus", node.vcpus()).bind("ram", node.memoryMb())
                    .bind("disk", node.diskGb()).bind("cpu", node.cpuInfo()).bind("now", timestamp(now))
                    .bind("sid", serviceId).bind("name", node.hypervisorHostname()).execute();
            if (updated == 0) {
                h.createUpdate("""
                                INSERT INTO compute_nodes (id, service_id, host, hypervisor_hostname, hypervisor_type,
                                  hypervisor_version, host_ip, vcpus, memory_mb, local_gb, cpu_info, updated_at)
                                VALUES (:id, :sid, :h, :name, :type, :version, :ip, :vcpus, :ram, :disk, :cpu, :now)""")
                        .bind("id", UUID.randomUUID().toString()).bind("sid", serviceId).bind("h", host)
                        .bind("name", node.hypervisorHostname()).bind("type", node.hypervisorType())
                        .bind("version", node.hypervisorVersion()).bind("ip", node.hostIp()).bind("vcpus", node.vcpus())
                        .bind("ram", node.memoryMb()).bind("disk", node.diskGb()).bind("cpu", node.cpuInfo())
                        .bind("now", timestamp(now)).execute();
            }
        });
        changed();
    }

    /** Enables or disables a host's service (os-services); false when there is no such service. */
    public boolean setDisabled(String serviceId, boolean disabled, String reason) {
        return changing(h -> h.createUpdate("""
                        UPDATE compute_services SET disabled = :d, disabled_reason = :r, updated_at = :now WHERE id = :id""")
                .bind("id", serviceId).bind("d", disabled).bind("r", disabled ? reason : null)
                .bind("now", timestamp(Instant.now())).execute());
    }

    public boolean setForcedDown(String serviceId, boolean forcedDown) {
        return changing(h -> h.createUpdate("UPDATE compute_services SET forced_down = :f, updated_at = :now WHERE id = :id")
                .bind("id", serviceId).bind("f", forcedDown).bind("now", timestamp(Instant.now())).execute());
    }

    public boolean deleteService(String serviceId) {
        return changing(h -> h.createUpdate("DELETE FROM compute_services WHERE id = :id").bind("id", serviceId).execute());
    }

    /** Runs a one-row change, then drops the kept hosts so the next read sees it; whether a row changed. */
    private boolean changing(org.jdbi.v3.core.HandleCallback<Integer, RuntimeException> change) {
        boolean done = jdbi.withHandle(change) == 1;
        changed();
        return done;
    }
}
