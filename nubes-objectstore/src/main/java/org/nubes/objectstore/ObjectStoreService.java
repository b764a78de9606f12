package org.nubes.objectstore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nubes.core.auth.Policy;
import org.nubes.core.auth.TokenValidator;
import org.nubes.core.db.Database;
import org.nubes.core.http.ApiService;
import org.nubes.core.http.CatalogEntry;
import org.nubes.core.http.FaultRenderer;
import org.nubes.core.http.Routes;
import org.nubes.objectstore.api.SwiftApi;
import org.nubes.objectstore.api.SwiftFaults;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.replication.Expirer;
import org.nubes.objectstore.replication.ListingRepair;
import org.nubes.objectstore.replication.Maintenance;
import org.nubes.objectstore.ring.Device;
import org.nubes.objectstore.ring.HashPath;
import org.nubes.objectstore.ring.Ring;
import org.nubes.objectstore.service.Objects;
import org.nubes.objectstore.store.ListingStore;

/**
 * The object storage service (Swift v1): its ring of devices, the listings in the database and
 * the API on its port.
 *
 * <p>Access is Swift's own (keystoneauth with container ACLs), decided per request by the handlers,
 * so every route is public to the core HTTP layer and the service validates tokens itself with
 * the given validator (the one the HTTP layer of the other services uses).
 */
public final class ObjectStoreService implements ApiService {
    private final ObjectStoreConfig config;
    private final Ring ring;
    private final SwiftApi api;
    private final Maintenance maintenance;

    public ObjectStoreService(ObjectStoreConfig config, Database database, TokenValidator tokens) {
        this(config, database, tokens, ring(config));
    }

    /** With a ring of its own (tests with devices that fail). */
    public ObjectStoreService(ObjectStoreConfig config, Database database, TokenValidator tokens, Ring ring) {
        this.config = config;
        this.ring = ring;
        database.migrate("objectstore");
        ListingStore listings = new ListingStore(database.jdbi());
        Replicas replicas = new Replicas(ring);
        Objects objects = new Objects(replicas, listings, config.maxFileSize());
        this.api = new SwiftApi(config, listings, objects, tokens);
        this.maintenance = new Maintenance(config, ring, new ListingRepair(ring, replicas, listings), new Expirer(listings, objects));
    }

    /** Replication, audit, expiry and the removal of stale temporary files: periodic once started, or on demand. */
    public Maintenance maintenance() {
        return maintenance;
    }

    /** Removes a previous process's temporary files and starts the periodic replication and audit. */
    @Override
    public void start() {
        maintenance.start();
    }

    @Override
    public void stop() {
        maintenance.stop();
    }

    /**
     * The all-in-one ring: devices d0..dN-1 under the devices directory, one zone each, equal
     * weights, and the hash path secret in devices_dir/hash_path.
     */
    public static Ring ring(ObjectStoreConfig config) {
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < config.devices(); i++) {
            devices.add(new Device(i, i + 1, 100, config.devicesDir().resolve("d" + i)));
        }
        return new Ring(devices, config.replicas(), config.partPower(), HashPath.load(config.devicesDir().resolve("hash_path")));
    }

    public Ring ring() {
        return ring;
    }

    @Override
    public String name() {
        return "objectstore";
    }

    @Override
    public int port() {
        return config.port();
    }

    /** Swift's errors are rendered by the API itself as text/html; this covers the core's own (unrouted paths). */
    @Override
    public FaultRenderer faults() {
        return new SwiftFaults();
    }

    /** No named rules: every route is public to the core and checks Swift's access itself. */
    @Override
    public Policy policy() {
        return new Policy(Map.of(), Set.of());
    }

    @Override
    public void routes(Routes routes) {
        api.register(routes);
    }

    /** The endpoint as Keystone catalogs Swift: the account of the token's project in the URL. */
    @Override
    public List<CatalogEntry> catalogEntries(String baseUrl) {
        return List.of(new CatalogEntry("object-store", "swift", baseUrl + "/v1/AUTH_$(project_id)s"));
    }
}
