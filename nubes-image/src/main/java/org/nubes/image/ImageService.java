package org.nubes.image;

import java.util.List;
import org.nubes.core.auth.Policy;
import org.nubes.core.db.Database;
import org.nubes.core.http.ApiService;
import org.nubes.core.http.CatalogEntry;
import org.nubes.core.http.FaultRenderer;
import org.nubes.core.http.Routes;
import org.nubes.image.api.GlanceFault;
import org.nubes.image.api.ImageApi;
import org.nubes.image.api.ImagePolicy;
import org.nubes.image.backend.FilesystemBackend;
import org.nubes.image.backend.ImageBackend;
import org.nubes.image.service.ImageData;
import org.nubes.image.service.Images;
import org.nubes.image.service.Members;
import org.nubes.image.store.ImageStore;

/** The image service (Glance v2): its routes, its state and its store. */
public final class ImageService implements ApiService {
    private final ImageConfig config;
    private final Policy policy = ImagePolicy.create();
    private final ImageApi api;

    /** Image data in the filesystem store under the configured directory. */
    public ImageService(ImageConfig config, Database database) {
        this(config, database, new FilesystemBackend(config.storeDir()));
    }

    /** With another store, e.g. one that fails on purpose in tests. */
    public ImageService(ImageConfig config, Database database, ImageBackend backend) {
        this.config = config;
        database.migrate("image");
        ImageStore store = new ImageStore(database.jdbi());
        Images images = new Images(store, backend, config);
        this.api = new ImageApi(config, images, new ImageData(store, backend, config, images), new Members(store, images));
    }

    @Override
    public String name() {
        return "image";
    }

    @Override
    public int port() {
        return config.port();
    }

    @Override
    public FaultRenderer faults() {
        return new GlanceFault();
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
        return List.of(new CatalogEntry("image", "glance", baseUrl));
    }
}
