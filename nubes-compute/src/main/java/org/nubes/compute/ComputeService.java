package org.nubes.compute;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.nubes.compute.agent.ComputeAgent;
import org.nubes.compute.api.ComputeAdminApi;
import org.nubes.compute.api.ComputeApi;
import org.nubes.compute.api.ComputePolicy;
import org.nubes.compute.api.SecurityGroupProxyApi;
import org.nubes.compute.api.FlavorApi;
import org.nubes.compute.api.KeypairApi;
import org.nubes.compute.api.NovaFault;
import org.nubes.compute.api.ServerActionApi;
import org.nubes.compute.api.ServerApi;
import org.nubes.compute.api.ServerGroupApi;
import org.nubes.compute.api.ServerPartsApi;
import org.nubes.compute.api.VersionApi;
import org.nubes.compute.driver.VirtDriver;
import org.nubes.compute.driver.container.ContainerDriver;
import org.nubes.compute.driver.container.StarterImage;
import org.nubes.compute.driver.fake.FakeDriver;
import org.nubes.compute.scheduler.Scheduler;
import org.nubes.compute.service.Flavors;
import org.nubes.compute.service.Hosts;
import org.nubes.compute.service.Quotas;
import org.nubes.compute.service.ServerActions;
import org.nubes.compute.service.ServerGroups;
import org.nubes.compute.service.Keypairs;
import org.nubes.compute.service.ServerNetworks;
import org.nubes.compute.service.Servers;
import org.nubes.compute.store.ActionStore;
import org.nubes.compute.store.InstanceStore;
import org.nubes.core.auth.Policy;
import org.nubes.core.bus.InProcessBus;
import org.nubes.core.bus.MessageBus;
import org.nubes.core.client.ImageClient;
import org.nubes.core.client.NetworkClient;
import org.nubes.core.client.ServiceSession;
import org.nubes.core.config.ConfigException;
import org.nubes.core.db.Database;
import org.nubes.core.http.ApiService;
import org.nubes.core.http.CatalogEntry;
import org.nubes.core.http.FaultRenderer;
import org.nubes.core.http.Microversion;
import org.nubes.core.http.MicroversionRange;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/**
 * The compute service (Nova v2.1): its API, its scheduler and the compute agents of this process,
 * which talk over the message bus only. With the fake driver one process can run many simulated
 * hosts; each has its own agent and its own capacity.
 */
public final class ComputeService implements ApiService {
    /** The microversions honoured: each change from 2.1 up to the maximum is implemented. */
    public static final MicroversionRange MICROVERSIONS = new MicroversionRange("compute",
            "X-OpenStack-Nova-API-Version", new Microversion(2, 1), new Microversion(2, 53));

    private final ComputeConfig config;
    private final Policy policy = ComputePolicy.create();
    private final MessageBus bus;
    private final Flavors flavors;
    private final Servers servers;
    private final Scheduler scheduler;
    private final List<ComputeAgent> agents = new ArrayList<>();
    private final ImageClient images;
    private String driverNote;
    private final ComputeApi api;

    public ComputeService(ComputeConfig config, Database database, Supplier<ServiceSession.Credentials> serviceUser) {
        this.config = config;
        database.migrate("compute");
        this.bus = new InProcessBus();
        ServiceSession session = new ServiceSession(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
                serviceUser, "internal");
        ImageClient images = new ImageClient(session);
        ServerNetworks serverNetworks = new ServerNetworks(new NetworkClient(session));
        InstanceStore instances = new InstanceStore(database.jdbi());
        ActionStore actions = new ActionStore(database.jdbi());
        Hosts hosts = new Hosts(database.jdbi(), Duration.ofSeconds(config.serviceDownTimeSeconds()));
        Quotas quotas = new Quotas(database.jdbi(), config.quotas());
        this.flavors = new Flavors(database.jdbi());
        Keypairs keypairs = new Keypairs(database.jdbi(), config.quotas());
        this.servers = new Servers(config, instances, actions, flavors, keypairs, images, serverNetworks, quotas, hosts, bus);
        this.scheduler = new Scheduler(config, hosts, instances, actions, bus);
        this.images = images;
        for (VirtDriver driver : drivers(config, serverNetworks)) {
            agents.add(new ComputeAgent(config, driver, hosts, instances, actions, images, serverNetworks, bus));
        }
        this.api = new ComputeApi(new ComputeApi.Parts(new VersionApi(), new FlavorApi(flavors), new KeypairApi(keypairs),
                new ServerApi(servers), new ServerActionApi(servers, new ServerActions(servers, flavors), flavors),
                new ServerPartsApi(servers), new ServerGroupApi(new ServerGroups(database.jdbi(), quotas)),
                new ComputeAdminApi(hosts, instances, quotas, new ServerGroups(database.jdbi(), quotas), bus),
                new SecurityGroupProxyApi(serverNetworks)));
    }

    /**
     * The drivers of this process's agents: one container host, or any number of simulated fake
     * hosts. With "auto" the container driver is used where it works; otherwise why it does not
     * is kept in {@link #driverNote()} for the launcher to print.
     */
    private List<VirtDriver> drivers(ComputeConfig config, ServerNetworks serverNetworks) {
        String driver = config.driver();
        if (driver.equals("auto")) {
            Optional<String> unavailable = ContainerDriver.unavailableReason();
            driver = unavailable.isPresent() ? "fake" : "container";
            driverNote = unavailable.map(reason -> "compute uses the fake driver (servers are simulated): " + reason)
                    .orElse(null);
        }
        return switch (driver) {
            case "container" -> {
                ContainerDriver.unavailableReason().ifPresent(reason -> {
                    throw new ConfigException("compute.driver is container, but it cannot run here: " + reason);
                });
                ContainerDriver.Options defaults = ContainerDriver.Options.defaults();
                ContainerDriver container = new ContainerDriver(config.containerDir(), config.host(), new ContainerDriver.Options(
                        config.containerCgroupParent(), Duration.ofSeconds(config.containerStopTimeoutSeconds()),
                        defaults.pidsLimit(), defaults.hostIp(), config.defaultAvailabilityZone()), serverNetworks::plug);
                container.note().ifPresent(note -> driverNote = note);
                yield List.of(container);
            }
            case "fake" -> {
                List<VirtDriver> fakes = new ArrayList<>();
                ComputeConfig.FakeHosts hosts = config.fakeHosts();
                for (int n = 1; n <= hosts.count(); n++) {
                    String name = hosts.count() == 1 ? config.host() : config.host() + "-" + n;
                    fakes.add(new FakeDriver(name, hosts.vcpus(), hosts.memoryMb(), hosts.diskGb()));
                }
                yield fakes;
            }
            default -> throw new ConfigException("compute.driver '" + config.driver() + "' is not known; use auto, container or fake");
        };
    }

    /** Why the configured driver is not the one running (auto fell back to fake), or empty. */
    public Optional<String> driverNote() {
        return Optional.ofNullable(driverNote);
    }

    /**
     * Registers the starter image (public "busybox", a root filesystem the container driver boots)
     * when the image service has none of that name, so a new cloud can boot a server at once.
     * Returns what happened, for the launcher to print.
     */
    public String registerStarterImage() {
        Optional<String> unavailable = StarterImage.unavailableReason();
        if (unavailable.isPresent()) {
            return "no starter image: " + unavailable.get();
        }
        if (images.findByName(StarterImage.NAME).isPresent()) {
            return "starter image: " + StarterImage.NAME;
        }
        try {
            Path dir = Files.createDirectories(config.containerDir().resolve("starter"));
            Path tar = StarterImage.build(dir.resolve(StarterImage.NAME + ".tar"));
            ObjectNode image = Json.object().put("name", StarterImage.NAME).put("visibility", "public");
            StarterImage.PROPERTIES.forEach(image::put);
            String id = images.create(images.serviceToken(), image).path("id").asText();
            images.upload(id, () -> {
                try {
                    return Files.newInputStream(tar);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return "starter image: " + StarterImage.NAME + " (registered now)";
        } catch (IOException | RuntimeException e) {
            return "no starter image: " + e;
        }
    }

    @Override
    public String name() {
        return "compute";
    }

    @Override
    public int port() {
        return config.port();
    }

    @Override
    public FaultRenderer faults() {
        return new NovaFault();
    }

    @Override
    public Policy policy() {
        return policy;
    }

    @Override
    public MicroversionRange microversions() {
        return MICROVERSIONS;
    }

    @Override
    public void routes(Routes routes) {
        api.register(routes);
    }

    @Override
    public List<CatalogEntry> catalogEntries(String baseUrl) {
        return List.of(new CatalogEntry("compute", "nova", baseUrl + "/v2.1"));
    }

    /** Creates the default flavors once, then starts the scheduler and the agents. */
    @Override
    public void start() {
        flavors.ensureDefaults();
        scheduler.start();
        agents.forEach(ComputeAgent::start);
    }

    @Override
    public void stop() {
        agents.forEach(ComputeAgent::stop);
        scheduler.stop();
        bus.close();
    }

    public Hosts hosts() {
        return servers.hosts();
    }

    public Quotas quotas() {
        return servers.quotas();
    }

    public MessageBus bus() {
        return bus;
    }

    public List<ComputeAgent> agents() {
        return List.copyOf(agents);
    }
}
