package org.nubes.compute.api;

import org.nubes.core.http.Routes;

/** Every route of the compute API; each part registers its own. */
public final class ComputeApi {
    /** The parts, each with a register(Routes) method. */
    public record Parts(VersionApi versions, FlavorApi flavors, KeypairApi keypairs, ServerApi servers,
            ServerActionApi actions, ServerPartsApi serverParts, ServerGroupApi serverGroups,
            ComputeAdminApi admin, SecurityGroupProxyApi securityGroups) {}

    private final Parts parts;

    public ComputeApi(Parts parts) {
        this.parts = parts;
    }

    public void register(Routes routes) {
        parts.versions().register(routes);
        parts.flavors().register(routes);
        parts.keypairs().register(routes);
        parts.servers().register(routes);
        parts.actions().register(routes);
        parts.serverParts().register(routes);
        parts.serverGroups().register(routes);
        parts.admin().register(routes);
        parts.securityGroups().register(routes);
    }
}
