package org.nubes.network;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.nubes.core.client.ComputeClient;
import org.nubes.core.client.ServiceSession;
import org.nubes.network.service.ComputeEvents;
import java.util.Optional;
import org.nubes.core.config.ConfigException;
import org.nubes.network.agent.Dataplane;
import org.nubes.network.driver.LinuxNetworkDriver;
import org.nubes.network.driver.NetworkDriver;
import org.nubes.network.driver.NoopNetworkDriver;
import org.nubes.core.auth.Policy;
import org.nubes.core.db.Database;
import org.nubes.core.http.ApiService;
import org.nubes.core.http.CatalogEntry;
import org.nubes.core.http.FaultRenderer;
import org.nubes.core.http.Routes;
import org.nubes.network.api.NetworkApi;
import org.nubes.network.api.NeutronFault;
import org.nubes.network.api.NeutronPolicy;
import org.nubes.network.service.Caller;
import org.nubes.network.service.Collection;
import org.nubes.network.service.FloatingIps;
import org.nubes.network.service.Networks;
import org.nubes.network.service.RbacPolicies;
import org.nubes.network.service.Routers;
import org.nubes.network.service.Topology;
import org.nubes.network.service.Ports;
import org.nubes.network.service.Quotas;
import org.nubes.network.service.Resources;
import org.nubes.network.service.SecurityGroupRules;
import org.nubes.network.service.SecurityGroups;
import org.nubes.network.service.Subnets;
import org.nubes.network.store.ResourceStore;

/** The networking service (Neutron v2.0): its routes, its state and its store. */
public final class NetworkService implements ApiService {
    private final NetworkConfig config;
    private final Policy policy = NeutronPolicy.create();
    private final NetworkApi api;
    private final Topology topology;
    private final NetworkDriver driver;
    private final Dataplane dataplane;
    private String driverNote;

    /** Without a compute service to tell of changes (tests of the API alone). */
    public NetworkService(NetworkConfig config, Database database) {
        this(config, database, null);
    }

    /** With the service user's credentials, to tell the compute service when servers' networking changed. */
    public NetworkService(NetworkConfig config, Database database, Supplier<ServiceSession.Credentials> serviceUser) {
        this.config = config;
        database.migrate("network");
        Resources resources = new Resources(database.jdbi(), new ResourceStore());
        this.driver = driver(config);
        this.dataplane = new Dataplane(resources, driver);
        ComputeEvents events = serviceUser == null ? null : new ComputeEvents(resources, new ComputeClient(new ServiceSession(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), serviceUser, "internal")));
        resources.onCommit(written -> {
            if (events != null) {
                events.changed(written);
            }
            dataplane.changed(written);
        });
        Quotas quotas = new Quotas(resources);
        Networks networks = new Networks(resources, quotas);
        SecurityGroups groups = new SecurityGroups(resources, quotas);
        SecurityGroupRules rules = new SecurityGroupRules(resources, quotas, groups);
        Ports ports = new Ports(resources, quotas, networks, groups);
        Subnets subnets = new Subnets(resources, quotas);
        Routers routers = new Routers(resources, quotas, networks, ports);
        this.topology = new Topology(resources, quotas, networks, subnets, routers);
        List<Collection> collections = List.of(networks, subnets, ports, groups, rules, routers,
                new FloatingIps(resources, quotas, networks, ports), new RbacPolicies(resources, quotas, networks));
        this.api = new NetworkApi(resources, collections, quotas, routers, topology);
    }

    /**
     * Makes the cloud's starting networks (external "public"; "private" with "router1" for the
     * admin project) unless they exist; run after identity's bootstrap, on every start.
     */
    public void bootstrap(String adminProjectId) {
        topology.bootstrap(adminProjectId);
    }

    /** The project's network for servers that ask for networks=auto, made on first need. */
    public String autoAllocatedNetwork(String projectId) {
        return topology.autoAllocate(new Caller(projectId, true), projectId, false).path("auto_allocated_topology").path("id").asText();
    }

    /** The host's network driver: linux where it can run, else noop (the API works, servers are not connected). */
    private NetworkDriver driver(NetworkConfig config) {
        String chosen = config.driver();
        if (chosen.equals("auto")) {
            Optional<String> unavailable = LinuxNetworkDriver.unavailableReason();
            chosen = unavailable.isPresent() ? "noop" : "linux";
            driverNote = unavailable.map(reason -> "network uses the noop driver (servers get addresses but no "
                    + "connection): " + reason).orElse(null);
        }
        return switch (chosen) {
            case "linux" -> {
                LinuxNetworkDriver.unavailableReason().ifPresent(reason -> {
                    throw new ConfigException("network.driver is linux, but it cannot run here: " + reason);
                });
                yield new LinuxNetworkDriver(config.namespacePrefix());
            }
            case "noop" -> new NoopNetworkDriver();
            default -> throw new ConfigException("network.driver '" + config.driver() + "' is not known; use auto, linux or noop");
        };
    }

    /** Why the configured driver is not the one running (auto fell back to noop), or empty. */
    public Optional<String> driverNote() {
        return Optional.ofNullable(driverNote);
    }

    /** The host's networks as the rows say: adopted after a restart (called before the port opens). */
    @Override
    public void start() {
        dataplane.syncAll();
    }

    /** The networks keep running for the next start to adopt. */
    @Override
    public void stop() {
        driver.close();
    }

    /** The host's driver, for tests that look at or remove what it made. */
    public NetworkDriver driver() {
        return driver;
    }

    @Override
    public String name() {
        return "network";
    }

    @Override
    public int port() {
        return config.port();
    }

    @Override
    public FaultRenderer faults() {
        return new NeutronFault();
    }

    @Override
    public Policy policy() {
        return policy;
    }

    @Override
    public void routes(Routes routes) {
        api.register(routes);
    }

    @Override
    public List<CatalogEntry> catalogEntries(String baseUrl) {
        return List.of(new CatalogEntry("network", "neutron", baseUrl));
    }
}
