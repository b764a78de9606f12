package org.nubes.server;

import org.nubes.core.config.Config;
import org.nubes.identity.service.Bootstrap;

/** What `nubes up` does before it waits: start the cloud and write the admin's client files. */
public final class Launcher {
    private Launcher() {}

    public record Started(Cloud cloud, String adminPassword) {}

    public static Started up(Config config) {
        Cloud cloud = new Cloud(config).start();
        Bootstrap.Result made = cloud.bootstrapResult();
        String password = made.adminPassword() != null ? made.adminPassword() : Credentials.rememberedPassword(cloud.dataDir());
        if (password != null) {
            Credentials.write(cloud.dataDir(), new Credentials.Admin(cloud.identityUrl() + "/v3", password,
                    config.string("identity.region")));
        }
        if (made.servicePassword() != null) {
            Credentials.write(cloud.dataDir().resolve(Credentials.SERVICE_PASSWORD_FILE), made.servicePassword() + "\n");
        }
        return new Started(cloud, password);
    }
}
