package org.nubes.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nubes.compute.ComputeConfig;
import org.nubes.compute.ComputeService;
import org.nubes.core.client.ServiceSession;
import org.nubes.core.config.Config;
import org.nubes.core.config.DatabaseConfig;
import org.nubes.core.config.HttpConfig;
import org.nubes.core.db.Database;
import org.nubes.core.http.ApiService;
import org.nubes.core.http.CatalogEntry;
import org.nubes.core.http.HttpService;
import org.nubes.identity.IdentityConfig;
import org.nubes.identity.IdentityService;
import org.nubes.identity.service.Bootstrap;
import org.nubes.image.ImageConfig;
import org.nubes.image.ImageService;
import org.nubes.network.NetworkConfig;
import org.nubes.network.NetworkService;
import org.nubes.objectstore.ObjectStoreConfig;
import org.nubes.objectstore.ObjectStoreService;

/**
 * Every service of Nubes in one process: one database, one identity service validating tokens
 * in-process, each API on its own port. Tests start it on random ports the same way.
 */
public final class Cloud implements AutoCloseable {
    private final Config config;
    private final Database database;
    private final IdentityService identity;
    private final ImageService image;
    private final ComputeService compute;
    private final ObjectStoreService objects;
    private final NetworkService network;
    private final List<HttpService> running = new ArrayList<>();
    private Bootstrap.Result bootstrap;
    private String starterImage;
    private String identityUrl;

    public Cloud(Config config) {
        this.config = config;
        try {
            Files.createDirectories(config.path("data_dir"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create the data directory " + config.path("data_dir"), e);
        }
        this.database = Database.open(DatabaseConfig.from(config));
        this.identity = new IdentityService(IdentityConfig.from(config), database);
        this.image = new ImageService(ImageConfig.from(config), database);
        this.compute = new ComputeService(ComputeConfig.from(config), database, this::serviceCredentials);
        this.objects = new ObjectStoreService(ObjectStoreConfig.from(config), database, identity.tokenValidator());
        this.network = new NetworkService(NetworkConfig.from(config), database, this::serviceCredentials);
    }

    /**
     * The service user's credentials, which services use to call each other: the configured
     * password, else the one bootstrap just made, else the one a first start wrote down.
     */
    private ServiceSession.Credentials serviceCredentials() {
        String password = config.string("identity.service_password");
        if (password.isBlank() && bootstrap != null && bootstrap.servicePassword() != null) {
            password = bootstrap.servicePassword();
        }
        if (password.isBlank()) {
            password = Credentials.servicePassword(dataDir());
        }
        return new ServiceSession.Credentials(identityUrl, Bootstrap.SERVICE_USER, password, Bootstrap.SERVICE_PROJECT, "default");
    }

    /** Opens every port, then bootstraps the catalog with the URLs the services answer at. */
    public Cloud start() {
        HttpConfig http = HttpConfig.from(config);
        running.add(new HttpService(identity, new HttpService.Settings(http.bind(), http.maxRequestBytes(),
                identity.tokenValidator(), null)).start());
        identityUrl = http.url(running.getFirst().port());
        HttpService.Settings settings = new HttpService.Settings(http.bind(), http.maxRequestBytes(),
                identity.tokenValidator(), identityUrl);
        for (ApiService service : otherServices()) {
            running.add(new HttpService(service, settings).start());
        }
        List<CatalogEntry> catalog = new ArrayList<>();
        for (HttpService service : running) {
            catalog.addAll(service.service().catalogEntries(http.url(service.port())));
        }
        bootstrap = identity.bootstrap(catalog);
        network.bootstrap(bootstrap.adminProjectId());
        starterImage = compute.registerStarterImage();
        return this;
    }

    /** The services besides identity; each later service module joins here. */
    private List<ApiService> otherServices() {
        return List.of(image, compute, objects, network);
    }

    /** Lines about the compute and network drivers and the starter image, for the person starting the cloud. */
    public List<String> notes() {
        List<String> notes = new ArrayList<>();
        compute.driverNote().ifPresent(notes::add);
        network.driverNote().ifPresent(notes::add);
        if (starterImage != null) {
            notes.add(starterImage);
        }
        return notes;
    }

    public String identityUrl() {
        return identityUrl;
    }

    public Bootstrap.Result bootstrapResult() {
        return bootstrap;
    }

    public NetworkService network() {
        return network;
    }

    public IdentityService identity() {
        return identity;
    }

    public List<HttpService> services() {
        return List.copyOf(running);
    }

    public Path dataDir() {
        return config.path("data_dir");
    }

    public Config config() {
        return config;
    }

    @Override
    public void close() {
        for (HttpService service : running.reversed()) {
            service.close();
        }
        database.close();
    }
}
