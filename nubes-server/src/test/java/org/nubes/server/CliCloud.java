package org.nubes.server;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.nubes.core.config.Config;
import org.nubes.core.testing.Prerequisites;

/**
 * A cloud started the way `nubes up` starts it (random ports, a temporary data directory), for the
 * tests that drive it with the real openstack CLI. Outside CI they are skipped when the CLI is not
 * installed; in CI it must be there.
 */
final class CliCloud implements AutoCloseable {
    private final Path dataDir;
    private final Cloud cloud;

    private CliCloud(Path dataDir, Cloud cloud) {
        this.dataDir = dataDir;
        this.cloud = cloud;
    }

    /** With the fake compute driver: these tests are about the APIs, not about real servers. */
    static CliCloud start() {
        return start(java.util.Map.of("compute.driver", "fake"));
    }

    /** With configuration keys on top of the defaults. */
    static CliCloud start(java.util.Map<String, String> settings) {
        Prerequisites.require(OpenStackCli.installed(), "the openstack CLI (python3-openstackclient) is not installed");
        try {
            Path dataDir = Files.createTempDirectory("nubes-cli");
            Config config = Config.defaults().with("data_dir", dataDir.toString())
                    .with("identity.port", "0").with("image.port", "0").with("compute.port", "0")
                    .with("objectstore.port", "0").with("network.port", "0").with("network.driver", "noop");
            for (var setting : settings.entrySet()) {
                config = config.with(setting.getKey(), setting.getValue());
            }
            return new CliCloud(dataDir, Launcher.up(config).cloud());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dataDir() {
        return dataDir;
    }

    Cloud cloud() {
        return cloud;
    }

    /** The bootstrap admin, through the clouds.yaml `nubes up` wrote. */
    OpenStackCli admin() {
        return new OpenStackCli(dataDir.resolve("clouds.yaml"), "nubes");
    }

    /** A user of the Default domain logging in with a password to a project. */
    OpenStackCli user(String user, String password, String project) {
        return new OpenStackCli(clouds("user", """
                auth:
                  auth_url: %s/v3
                  username: %s
                  password: %s
                  project_name: %s
                  user_domain_name: Default
                  project_domain_name: Default
                """.formatted(cloud.identityUrl(), user, password, project)), "user");
    }

    /** A clouds.yaml holding one cloud of the given name and settings (YAML under the cloud's key). */
    Path clouds(String name, String settings) {
        try {
            Path file = Files.createTempFile(dataDir, "clouds", ".yaml");
            Files.writeString(file, "clouds:\n  " + name + ":\n" + (settings + "region_name: RegionOne\n").indent(4));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            cloud.network().driver().destroyAll(); // tests leave no namespace behind (noop: nothing to do)
        } catch (org.nubes.network.driver.NetworkDriverException e) {
            throw new IllegalStateException(e);
        }
        cloud.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
