package org.nubes.network.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.nubes.core.db.LockRows;
import org.nubes.core.db.Rows;
import org.nubes.core.json.Json;

/**
 * The networking tables. Every method takes the handle of the caller's transaction, so that a
 * request's checks and writes commit together or not at all.
 */
public final class ResourceStore {
    private static final LockRows LOCKS = new LockRows("neutron_locks", "name");


    /** One resource: its kind (Neutron's singular name), its columns, and its attributes. */
    public record Row(String kind, String id, String projectId, String parentId, String deviceId, ObjectNode body) {}

    /** The rows this thread wrote since it last took them, by id (null: deleted): what a transaction changed. */
    private final ThreadLocal<java.util.Map<String, Row>> written = ThreadLocal.withInitial(java.util.LinkedHashMap::new);

    /** The rows this thread wrote since the last call, as last written (null: deleted), which it forgets. */
    public java.util.Map<String, Row> takeWritten() {
        java.util.Map<String, Row> rows = written.get();
        written.remove();
        return rows;
    }

    public void insert(Handle h, Row row) {
        written.get().put(row.id(), row);
        h.createUpdate("INSERT INTO neutron_resources (id, kind, project_id, parent_id, device_id, body)"
                        + " VALUES (:id, :kind, :project, :parent, :device, :body)")
                .bind("id", row.id()).bind("kind", row.kind()).bind("project", row.projectId())
                .bind("parent", row.parentId()).bind("device", row.deviceId()).bind("body", Json.string(row.body()))
                .execute();
    }

    public void update(Handle h, Row row) {
        written.get().put(row.id(), row);
        h.createUpdate("UPDATE neutron_resources SET project_id = :project, parent_id = :parent, device_id = :device,"
                        + " body = :body WHERE id = :id AND kind = :kind")
                .bind("id", row.id()).bind("kind", row.kind()).bind("project", row.projectId())
                .bind("parent", row.parentId()).bind("device", row.deviceId()).bind("body", Json.string(row.body()))
                .execute();
    }

    public void delete(Handle h, String id) {
        written.get().put(id, null);
        h.createUpdate("DELETE FROM neutron_resources WHERE id = :id").bind("id", id).execute();
    }

    public Optional<Row> find(Handle h, String kind, String id) {
        return h.createQuery("SELECT * FROM neutron_resources WHERE id = :id AND kind = :kind")
                .bind("id", id).bind("kind", kind).map((rs, c) -> row(rs)).findOne();
    }

    public List<Row> all(Handle h, String kind) {
        return h.createQuery("SELECT * FROM neutron_resources WHERE kind = :kind")
                .bind("kind", kind).map((rs, c) -> row(rs)).list();
    }

    public List<Row> ofProject(Handle h, String kind, String projectId) {
        return h.createQuery("SELECT * FROM neutron_resources WHERE kind = :kind AND project_id = :project")
                .bind("kind", kind).bind("project", projectId).map((rs, c) -> row(rs)).list();
    }

    public List<Row> children(Handle h, String kind, String parentId) {
        return h.createQuery("SELECT * FROM neutron_resources WHERE kind = :kind AND parent_id = :parent")
                .bind("kind", kind).bind("parent", parentId).map((rs, c) -> row(rs)).list();
    }

    public List<Row> ofDevice(Handle h, String kind, String deviceId) {
        return h.createQuery("SELECT * FROM neutron_resources WHERE kind = :kind AND device_id = :device")
                .bind("kind", kind).bind("device", deviceId).map((rs, c) -> row(rs)).list();
    }

    public int count(Handle h, String kind, String projectId) {
        return h.createQuery("SELECT COUNT(*) FROM neutron_resources WHERE kind = :kind AND project_id = :project")
                .bind("kind", kind).bind("project", projectId).mapTo(Integer.class).one();
    }

    /** Takes the address for the port; false when another port holds it (now or once it commits). */
    public boolean claimAddress(Handle h, String subnetId, String ip, String portId) {
        return claim(h, "INSERT INTO neutron_ip_allocations (subnet_id, ip_address, port_id) VALUES (:a, :b, :port)"
                + " ON CONFLICT DO NOTHING", subnetId, ip, portId);
    }

    public Set<String> allocatedAddresses(Handle h, String subnetId) {
        return new HashSet<>(h.createQuery("SELECT ip_address FROM neutron_ip_allocations WHERE subnet_id = :s")
                .bind("s", subnetId).mapTo(String.class).list());
    }

    public boolean addressTaken(Handle h, String subnetId, String ip) {
        return h.createQuery("SELECT COUNT(*) FROM neutron_ip_allocations WHERE subnet_id = :s AND ip_address = :ip")
                .bind("s", subnetId).bind("ip", ip).mapTo(Integer.class).one() > 0;
    }

    public boolean subnetHasAllocations(Handle h, String subnetId) {
        return h.createQuery("SELECT COUNT(*) FROM neutron_ip_allocations WHERE subnet_id = :s")
                .bind("s", subnetId).mapTo(Integer.class).one() > 0;
    }

    public void releaseAddress(Handle h, String subnetId, String ip) {
        h.createUpdate("DELETE FROM neutron_ip_allocations WHERE subnet_id = :s AND ip_address = :ip")
                .bind("s", subnetId).bind("ip", ip).execute();
    }

    public boolean claimMac(Handle h, String networkId, String mac, String portId) {
        return claim(h, "INSERT INTO neutron_mac_addresses (network_id, mac_address, port_id) VALUES (:a, :b, :port)"
                + " ON CONFLICT DO NOTHING", networkId, mac, portId);
    }

    public void releaseMac(Handle h, String portId) {
        h.createUpdate("DELETE FROM neutron_mac_addresses WHERE port_id = :p").bind("p", portId).execute();
    }

    /** Frees every address and the MAC address of a port. */
    public void releasePort(Handle h, String portId) {
        h.createUpdate("DELETE FROM neutron_ip_allocations WHERE port_id = :p").bind("p", portId).execute();
        releaseMac(h, portId);
    }

    /**
     * An insert that skips a taken key. H2 may still report the duplicate when the other writer
     * commits while this one waits; PostgreSQL never does here, so no transaction is aborted.
     */
    private static boolean claim(Handle h, String sql, String a, String b, String portId) {
        try {
            return h.createUpdate(sql).bind("a", a).bind("b", b).bind("port", portId).execute() == 1;
        } catch (UnableToExecuteStatementException e) {
            if (Rows.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    /** The limits set for the project, by resource. */
    public Map<String, Integer> quotas(Handle h, String projectId) {
        Map<String, Integer> limits = new HashMap<>();
        h.createQuery("SELECT resource, hard_limit FROM neutron_quotas WHERE project_id = :p").bind("p", projectId)
                .map((rs, c) -> Map.entry(rs.getString(1), rs.getInt(2))).forEach(e -> limits.put(e.getKey(), e.getValue()));
        return limits;
    }

    public List<String> projectsWithQuotas(Handle h) {
        return h.createQuery("SELECT DISTINCT project_id FROM neutron_quotas ORDER BY project_id").mapTo(String.class).list();
    }

    public void setQuota(Handle h, String projectId, String resource, int limit) {
        h.createUpdate("DELETE FROM neutron_quotas WHERE project_id = :p AND resource = :r")
                .bind("p", projectId).bind("r", resource).execute();
        h.createUpdate("INSERT INTO neutron_quotas (project_id, resource, hard_limit) VALUES (:p, :r, :l)")
                .bind("p", projectId).bind("r", resource).bind("l", limit).execute();
    }

    public void deleteQuotas(Handle h, String projectId) {
        h.createUpdate("DELETE FROM neutron_quotas WHERE project_id = :p").bind("p", projectId).execute();
    }

    /** Locks the named row (a project, a network) until the transaction ends. */
    public void lock(Handle h, String name) {
        LOCKS.lock(h, name);
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        try {
            ObjectNode body = (ObjectNode) Json.MAPPER.readTree(rs.getString("body"));
            return new Row(rs.getString("kind"), rs.getString("id"), rs.getString("project_id"),
                    rs.getString("parent_id"), rs.getString("device_id"), body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable body of " + rs.getString("id"), e);
        }
    }
}
