package org.nubes.compute.driver.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.nubes.compute.driver.VirtDriver;
import org.nubes.compute.driver.VirtDriverContract;
import org.nubes.core.testing.Prerequisites;

/**
 * The container driver keeps the promises every driver makes. Privileged: it runs as root where
 * crun and busybox-static are installed, and is skipped elsewhere.
 */
class ContainerDriverContractTest extends VirtDriverContract {
    private static Path dir;
    private static Path starter;
    private static ContainerDriver driver;
    private static String cgroupParent;

    @BeforeAll
    static void setUp() throws IOException {
        Prerequisites.require(ContainerDriver.unavailableReason().map(reason -> "container driver unavailable: " + reason));
        Prerequisites.require(StarterImage.unavailableReason().map(reason -> "starter image unavailable: " + reason));
        dir = Files.createTempDirectory("nubes-contract-");
        starter = StarterImage.build(dir.resolve("busybox.tar"));
        cgroupParent = "nubes-contract-" + UUID.randomUUID().toString().substring(0, 8);
        driver = new ContainerDriver(dir.resolve("state"), "contract-host", new ContainerDriver.Options(
                cgroupParent, Duration.ofSeconds(5), 256, "127.0.0.1", "nova"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (dir != null) {
            new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).start().waitFor();
        }
        // The driver removes each server's cgroup; the parent this test named is its own to remove.
        if (cgroupParent != null) {
            try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path hierarchy : hierarchies.toList()) {
                    Files.deleteIfExists(hierarchy.resolve(cgroupParent));
                }
            }
        }
    }

    @Override
    protected VirtDriver driver() {
        return driver;
    }

    @Override
    protected VirtDriver.Guest guest(String instanceId) {
        return new VirtDriver.Guest(instanceId, "contract", "contract", new VirtDriver.Limits(1, 64, 1), "busybox-contract",
                Map.of("container_format", "docker", "disk_format", "raw"), () -> {
                    try {
                        return Files.newInputStream(starter);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, null, Map.of(), null);
    }
}
