package org.nubes.server;

import org.nubes.core.http.HttpService;
import org.nubes.identity.service.Bootstrap;

/** What a person sees when the cloud is up: what runs where, and how to use it. */
final class Welcome {
    private Welcome() {}

    static void print(Cloud cloud, String password, long startMillis) {
        Bootstrap.Result made = cloud.bootstrapResult();
        StringBuilder out = new StringBuilder();
        out.append("nubes: ready in ").append(startMillis).append(" ms, state in ").append(cloud.dataDir().toAbsolutePath()).append('\n');
        for (HttpService service : cloud.services()) {
            out.append("  ").append(String.format("%-12s", service.service().name()))
                    .append(cloud.config().string("http.public_host")).append(':').append(service.port()).append('\n');
        }
        for (String note : cloud.notes()) {
            out.append("nubes: ").append(note).append('\n');
        }
        if (made.adminPassword() != null) {
            out.append("nubes: new cloud; admin password: ").append(made.adminPassword()).append('\n');
        }
        if (password == null) {
            out.append("nubes: the admin password is not in ").append(cloud.dataDir().resolve("clouds.yaml"))
                    .append(" any more; set identity.admin_password on a new data directory, or keep your own copy.\n");
        } else {
            String yaml = cloud.dataDir().resolve("clouds.yaml").toString();
            out.append("Use it:\n")
                    .append("  export OS_CLIENT_CONFIG_FILE=").append(yaml).append(" OS_CLOUD=nubes\n")
                    .append("  openstack token issue\n")
                    .append("or: source ").append(cloud.dataDir().resolve("openrc")).append('\n');
        }
        out.append("Ctrl-C stops.");
        System.out.println(out);
    }
}
