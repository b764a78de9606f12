package org.nubes.identity;

import java.nio.file.Path;
import java.time.Duration;
import org.nubes.core.config.Config;
import org.nubes.core.config.HttpConfig;

/** The identity service's settings (see {@link org.nubes.core.config.Settings} for defaults). */
public record IdentityConfig(
        int port,
        String publicUrl,
        String region,
        String adminPassword,
        String servicePassword,
        Duration tokenExpiration,
        Duration allowExpiredWindow,
        int bcryptCost,
        int maxActiveKeys,
        Path dataDir) {

    public static IdentityConfig from(Config config) {
        int port = config.integer("identity.port");
        return new IdentityConfig(
                port,
                HttpConfig.from(config).url(port),
                config.string("identity.region"),
                config.string("identity.admin_password"),
                config.string("identity.service_password"),
                config.seconds("identity.token_expiration"),
                config.seconds("identity.allow_expired_window"),
                config.integer("identity.bcrypt_cost"),
                config.integer("identity.max_active_keys"),
                config.path("data_dir"));
    }

    public Path fernetKeys() {
        return dataDir.resolve("fernet-keys");
    }
}
