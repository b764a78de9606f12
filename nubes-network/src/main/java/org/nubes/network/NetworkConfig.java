package org.nubes.network;

import org.nubes.core.config.Config;

/** The networking service's settings (see {@link org.nubes.core.config.Settings} for defaults). */
public record NetworkConfig(int port, String driver, String namespacePrefix) {

    public static NetworkConfig from(Config config) {
        return new NetworkConfig(config.integer("network.port"), config.string("network.driver").strip(),
                config.string("network.namespace_prefix").strip());
    }
}
