package org.nubes.identity.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Regions, services and endpoints: the service catalog. */
public final class CatalogStore {
    private final Jdbi jdbi;
    private final Changes changes;

    public CatalogStore(Jdbi jdbi, Changes changes) {
        this.jdbi = jdbi;
        this.changes = changes;
    }

    public Region createRegion(Region r) {
        Rows.unique(() -> jdbi.withHandle(h -> h.createUpdate(
                        "INSERT INTO regions (id, description, parent_region_id, extra) VALUES (:id, :description, :parent, :extra)")
                .bind("id", r.id()).bind("description", r.description()).bind("parent", r.parentRegionId())
                .bind("extra", Rows.extra(r.extra())).execute()),
                "Conflict occurred attempting to store region - Duplicate ID, " + r.id() + ".");
        changes.changed();
        return r;
    }

    public void updateRegion(Region r) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE regions SET description = :description, parent_region_id = :parent, extra = :extra WHERE id = :id")
                .bind("id", r.id()).bind("description", r.description()).bind("parent", r.parentRegionId())
                .bind("extra", Rows.extra(r.extra())).execute());
        changes.changed();
    }

    public void deleteRegion(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM regions WHERE id = :id").bind("id", id).execute());
        changes.changed();
    }

    /** Deletes a region and its child regions (children first) in one transaction. */
    public void deleteRegions(List<String> ids) {
        jdbi.useTransaction(h -> {
            for (String id : ids) {
                h.createUpdate("DELETE FROM regions WHERE id = :id").bind("id", id).execute();
            }
        });
        changes.changed();
    }

    public Optional<Region> region(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM regions WHERE id = :id").bind("id", id)
                .map((rs, c) -> region(rs)).findOne());
    }

    public List<Region> regions() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM regions ORDER BY id").map((rs, c) -> region(rs)).list());
    }

    public CatalogService createService(CatalogService s) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO services (id, type, enabled, extra) VALUES (:id, :type, :enabled, :extra)")
                .bind("id", s.id()).bind("type", s.type()).bind("enabled", s.enabled())
                .bind("extra", Rows.extra(s.extra())).execute());
        changes.changed();
        return s;
    }

    public void updateService(CatalogService s) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE services SET type = :type, enabled = :enabled, extra = :extra WHERE id = :id")
                .bind("id", s.id()).bind("type", s.type()).bind("enabled", s.enabled())
                .bind("extra", Rows.extra(s.extra())).execute());
        changes.changed();
    }

    public void deleteService(String id) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM endpoints WHERE service_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM services WHERE id = :id").bind("id", id).execute();
        });
        changes.changed();
    }

    public Optional<CatalogService> service(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM services WHERE id = :id").bind("id", id)
                .map((rs, c) -> service(rs)).findOne());
    }

    public List<CatalogService> services() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM services ORDER BY type, id").map((rs, c) -> service(rs)).list());
    }

    public Endpoint createEndpoint(Endpoint e) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO endpoints (id, service_id, interface, region_id, url, enabled, extra)
                        VALUES (:id, :service, :interface, :region, :url, :enabled, :extra)""")
                .bind("id", e.id()).bind("service", e.serviceId()).bind("interface", e.interfaceName())
                .bind("region", e.regionId()).bind("url", e.url()).bind("enabled", e.enabled())
                .bind("extra", Rows.extra(e.extra())).execute());
        changes.changed();
        return e;
    }

    public void updateEndpoint(Endpoint e) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE endpoints SET service_id = :service, interface = :interface, region_id = :region, url = :url,
                        enabled = :enabled, extra = :extra WHERE id = :id""")
                .bind("id", e.id()).bind("service", e.serviceId()).bind("interface", e.interfaceName())
                .bind("region", e.regionId()).bind("url", e.url()).bind("enabled", e.enabled())
                .bind("extra", Rows.extra(e.extra())).execute());
        changes.changed();
    }

    public void deleteEndpoint(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM endpoints WHERE id = :id").bind("id", id).execute());
        changes.changed();
    }

    public Optional<Endpoint> endpoint(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM endpoints WHERE id = :id").bind("id", id)
                .map((rs, c) -> endpoint(rs)).findOne());
    }

    public List<Endpoint> endpoints() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM endpoints ORDER BY service_id, interface")
                .map((rs, c) -> endpoint(rs)).list());
    }

    private static Region region(ResultSet rs) throws SQLException {
        return new Region(rs.getString("id"), rs.getString("description"), rs.getString("parent_region_id"), Rows.extra(rs));
    }

    private static CatalogService service(ResultSet rs) throws SQLException {
        return new CatalogService(rs.getString("id"), rs.getString("type"), rs.getBoolean("enabled"), Rows.extra(rs));
    }

    private static Endpoint endpoint(ResultSet rs) throws SQLException {
        return new Endpoint(rs.getString("id"), rs.getString("service_id"), rs.getString("interface"),
                rs.getString("region_id"), rs.getString("url"), rs.getBoolean("enabled"), Rows.extra(rs));
    }
}
