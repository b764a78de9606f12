package org.nubes.image;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nubes.core.auth.Policy;
import org.nubes.core.db.Database;
import org.nubes.core.http.ApiService;
import org.nubes.core.http.CatalogEntry;
import org.nubes.core.http.FaultRenderer;
import org.nubes.core.http.Routes;
import org.nubes.image.api.GlanceFault;
import org.nubes.image.api.ImageApi;

/** The image service (Glance v2): its routes, its state and its store. */
public final class ImageService implements ApiService {
    private final ImageConfig config;
    private final Database database;

    public ImageService(ImageConfig config, Database database) {
        this.config = config;
        this.database = database;
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
        return new Policy(Map.of(), Set.of());
    }

    @Override
    public void routes(Routes routes) {
        new ImageApi().register(routes);
    }

    @Override
    public List<CatalogEntry> catalogEntries(String baseUrl) {
        return List.of(new CatalogEntry("image", "glance", baseUrl));
    }
}
