package org.nubes.identity.api;

import org.nubes.core.http.Routes;
import org.nubes.identity.service.Authenticator;
import org.nubes.identity.service.Directory;
import org.nubes.identity.service.Passwords;
import org.nubes.identity.service.Tokens;
import org.nubes.identity.store.IdentityStores;

/** Every route of the identity API. */
public final class IdentityApi {
    private final IdentityStores stores;
    private final Directory directory;
    private final Passwords passwords;
    private final Tokens tokens;
    private final Authenticator authenticator;

    public IdentityApi(IdentityStores stores, Directory directory, Passwords passwords, Tokens tokens,
                       Authenticator authenticator) {
        this.stores = stores;
        this.directory = directory;
        this.passwords = passwords;
        this.tokens = tokens;
        this.authenticator = authenticator;
    }

    public void register(Routes routes) {
        new VersionApi().register(routes);
        new AuthApi(authenticator, tokens, directory, new TokenView(directory)).register(routes);
        new UserApi(stores, directory, passwords, tokens).register(routes);
        new ProjectApi(stores, tokens).register(routes);
        new DomainApi(stores, tokens).register(routes);
        new RoleApi(stores, directory).register(routes);
        new GrantApi(stores, directory).register(routes);
        new CatalogApi(stores).register(routes);
        new GroupApi(stores).register(routes);
        new ApplicationCredentialApi(stores, directory, passwords, tokens).register(routes);
        new CredentialApi(stores).register(routes);
    }
}
