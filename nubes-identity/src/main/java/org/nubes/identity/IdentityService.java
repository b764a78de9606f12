package org.nubes.identity;

import java.util.List;
import org.nubes.core.auth.Policy;
import org.nubes.core.auth.TokenValidator;
import org.nubes.core.db.Database;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.ApiService;
import org.nubes.core.http.CatalogEntry;
import org.nubes.core.http.FaultRenderer;
import org.nubes.core.http.Routes;
import org.nubes.identity.api.IdentityApi;
import org.nubes.identity.api.IdentityPolicy;
import org.nubes.identity.api.KeystoneFault;
import org.nubes.identity.service.Authenticator;
import org.nubes.identity.service.Bootstrap;
import org.nubes.identity.service.Directory;
import org.nubes.identity.service.Passwords;
import org.nubes.identity.service.Tokens;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.token.FernetKeyRepository;
import org.nubes.identity.token.TokenCodec;

/** The identity service (Keystone v3): its routes, its state and the in-process token validator. */
public final class IdentityService implements ApiService {
    private final IdentityConfig config;
    private final IdentityStores stores;
    private final FernetKeyRepository keys;
    private final Directory directory;
    private final Passwords passwords;
    private final Tokens tokens;
    private final Authenticator authenticator;
    private final Policy policy = IdentityPolicy.create();

    public IdentityService(IdentityConfig config, Database database) {
        this.config = config;
        database.migrate("identity");
        this.stores = IdentityStores.open(database.jdbi());
        this.keys = new FernetKeyRepository(config.fernetKeys(), config.maxActiveKeys());
        keys.initialize();
        this.directory = new Directory(stores);
        this.passwords = new Passwords(config.bcryptCost());
        this.tokens = new Tokens(config, stores, directory, new TokenCodec(keys));
        this.authenticator = new Authenticator(stores, directory, tokens, passwords);
    }

    @Override
    public String name() {
        return "identity";
    }

    @Override
    public int port() {
        return config.port();
    }

    @Override
    public FaultRenderer faults() {
        return new KeystoneFault();
    }

    @Override
    public Policy policy() {
        return policy;
    }

    @Override
    public void routes(Routes routes) {
        new IdentityApi(stores, directory, passwords, tokens, authenticator).register(routes);
    }

    @Override
    public List<CatalogEntry> catalogEntries(String baseUrl) {
        return List.of(new CatalogEntry("identity", "keystone", baseUrl + "/v3"));
    }

    @Override
    public void start() {
        tokens.pruneRevocations();
    }

    /** Creates what a new cloud needs, and the catalog entries of the services that run. */
    public Bootstrap.Result bootstrap(List<CatalogEntry> catalog) {
        return new Bootstrap(stores, passwords).run(config.region(), config.adminPassword(), config.servicePassword(), catalog);
    }

    /** Validates X-Auth-Token for every service of this process, without HTTP. */
    public TokenValidator tokenValidator() {
        return token -> {
            try {
                return tokens.validate(token, false).context();
            } catch (ApiException e) {
                if (e.status() == 404) {
                    throw ApiException.unauthorized("The request you have made requires authentication.");
                }
                throw e;
            }
        };
    }
}
