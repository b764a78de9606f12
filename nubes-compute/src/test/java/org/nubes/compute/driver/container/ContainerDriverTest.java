package org.nubes.compute.driver.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.compute.driver.DriverException;
import org.nubes.compute.driver.VirtDriver;
import org.nubes.compute.driver.VirtDriver.Guest;
import org.nubes.compute.driver.VirtDriver.Limits;
import org.nubes.compute.driver.VirtDriver.PowerState;
import org.nubes.core.json.Json;
import org.nubes.core.testing.Prerequisites;

/**
 * The container driver against the real crun, with the starter image. Privileged: it runs as root
 * where crun, overlayfs and busybox-static are installed, and is skipped elsewhere. Everything it
 * makes (containers, mounts, loop devices, cgroups, files) is removed in {@link #cleanUp()}, even
 * after a failure.
 */
class ContainerDriverTest {
    private static final Map<String, String> DOCKER = Map.of("container_format", "docker", "disk_format", "raw");

    private static Path stateDir;
    private static Path starter;
    private static String cgroupParent;
    private static ContainerDriver driver;
    private static final List<String> spawned = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        Prerequisites.require(ContainerDriver.unavailableReason().map(reason -> "container driver unavailable: " + reason));
        Prerequisites.require(StarterImage.unavailableReason().map(reason -> "starter image unavailable: " + reason));
        stateDir = Files.createTempDirectory("nubes-container-test-");
        cgroupParent = "nubes-test-" + UUID.randomUUID().toString().substring(0, 8);
        driver = new ContainerDriver(stateDir.resolve("state"), "test-host",
                new ContainerDriver.Options(cgroupParent, Duration.ofSeconds(10), 1024, "127.0.0.1", "nova"));
        long begin = System.nanoTime();
        starter = StarterImage.build(stateDir.resolve("busybox.tar"));
        System.out.printf("starter image: %d KiB in %d ms%n", Files.size(starter) / 1024, millisSince(begin));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (driver == null) {
            return;
        }
        List<String> failures = new ArrayList<>();
        for (String id : spawned) {
            try {
                driver.destroy(id);
            } catch (DriverException | RuntimeException e) {
                failures.add(id + ": " + e.getMessage());
            }
        }
        // Safety net should destroy have failed: no container, mount or cgroup of ours may remain.
        for (String id : spawned) {
            run("crun", "delete", "--force", "nubes-" + id);
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String target = line.split(" ")[1];
            if (target.startsWith(stateDir.toRealPath().toString())) {
                failures.add("left mounted: " + target);
                run("umount", "-l", target);
            }
        }
        for (String loop : loopsUnder(stateDir.toRealPath())) {
            failures.add("left loop device: " + loop);
            run("losetup", "-d", loop);
        }
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path parent = hierarchy.resolve(cgroupParent);
                if (Files.isDirectory(parent)) {
                    try (Stream<Path> children = Files.list(parent)) {
                        children.filter(Files::isDirectory).forEach(child -> {
                            failures.add("left cgroup: " + child);
                            run("rmdir", child.toString());
                        });
                    }
                    run("rmdir", parent.toString());
                }
            }
        }
        run("rm", "-rf", "--one-file-system", stateDir.toString());
        assertThat(failures).as("clean-up").isEmpty();
    }

    @Test
    void spawnBootsTheImageWithConfigDriveUserDataAndLimits() throws Exception {
        String id = newId();
        String userData = Base64.getEncoder().encodeToString("#!/bin/sh\necho hello-from-user-data\n".getBytes(StandardCharsets.UTF_8));
        long begin = System.nanoTime();
        driver.spawn(guest(id, "web-1", new Limits(1, 128, 1), "busybox-cold", DOCKER, starter, userData));
        System.out.printf("cold spawn (image unpacked in it): %d ms%n", millisSince(begin));

        assertThat(driver.powerState(id)).isEqualTo(PowerState.RUNNING);
        await("boot line and user data output on the console", () -> console(id).contains("hello-from-user-data"));
        assertThat(console(id)).contains(StarterImage.BOOT_LINE + " web-1");
        System.out.print("console:\n" + console(id));
        assertThat(console(id)).as("no errors from rcS").doesNotContain("rcS:");
        assertThat(driver.consoleOutput(id, 1)).doesNotContain(StarterImage.BOOT_LINE).endsWith("\n");

        // The flavor's limits, seen from the host and from inside.
        assertThat(cgroupFile("memory", id, "memory.limit_in_bytes")).isEqualTo(String.valueOf(128L << 20));
        assertThat(cgroupFile("cpu", id, "cpu.cfs_quota_us")).isEqualTo("100000");
        assertThat(exec(id, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")).isEqualTo(String.valueOf(128L << 20));
        assertThat(exec(id, "hostname")).isEqualTo("web-1");
        // The config drive.
        var meta = Json.parse(exec(id, "cat", "/mnt/config/openstack/latest/meta_data.json").getBytes(StandardCharsets.UTF_8));
        assertThat(meta.path("uuid").asText()).isEqualTo(id);
        assertThat(meta.path("public_keys").path("key").asText()).isEqualTo("ssh-ed25519 AAAAtest test@nubes");
        assertThat(meta.path("meta").path("role").asText()).isEqualTo("web");
        assertThat(run("crun", "exec", "nubes-" + id, "touch", "/mnt/config/x").exitCode()).as("read-only config drive").isNotZero();

        driver.resize(id, new Limits(2, 256, 1));
        assertThat(cgroupFile("memory", id, "memory.limit_in_bytes")).isEqualTo(String.valueOf(256L << 20));
        assertThat(cgroupFile("cpu", id, "cpu.cfs_quota_us")).isEqualTo("200000");
        assertThat(driver.diagnostics(id).memoryMb()).isEqualTo(256);
        assertThat(driver.diagnostics(id).extra()).containsKeys("memory_usage_bytes", "processes");

        // Warm spawns: the image is unpacked already.
        List<Long> warm = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String other = newId();
            begin = System.nanoTime();
            driver.spawn(guest(other, "warm-" + i, new Limits(1, 64, 1), "busybox-cold", DOCKER, starter, null));
            warm.add(millisSince(begin));
            assertThat(driver.powerState(other)).isEqualTo(PowerState.RUNNING);
            begin = System.nanoTime();
            driver.destroy(other);
            warm.add(-millisSince(begin));
        }
        System.out.println("warm spawn ms: " + warm.stream().filter(t -> t >= 0).toList()
                + ", destroy ms: " + warm.stream().filter(t -> t < 0).map(t -> -t).toList());

        // A restarted Nubes adopts the running server and never starts it twice.
        long pid = pid(id);
        ContainerDriver restarted = new ContainerDriver(stateDir.resolve("state"), "test-host",
                new ContainerDriver.Options(cgroupParent, Duration.ofSeconds(10), 1024, "127.0.0.1", "nova"));
        assertThat(restarted.instances()).contains(id);
        assertThat(restarted.powerState(id)).isEqualTo(PowerState.RUNNING);
        restarted.spawn(guest(id, "web-1", new Limits(1, 128, 1), "busybox-cold", DOCKER, starter, userData));
        assertThat(pid(id)).isEqualTo(pid);
        assertThat(restarted.host().hypervisorType()).isEqualTo("crun");
        assertThat(restarted.host().vcpus()).isPositive();
        assertThat(restarted.host().memoryMb()).isPositive();
    }

    @Test
    void changesSurvivePowerOffAndGoIntoSnapshots() throws Exception {
        String id = newId();
        driver.spawn(guest(id, "keeper", new Limits(1, 128, 1), "busybox-1", DOCKER, starter, null));
        exec(id, "sh", "-c", "echo kept > /root/f");

        long begin = System.nanoTime();
        driver.powerOff(id);
        System.out.printf("graceful power off: %d ms%n", millisSince(begin));
        assertThat(driver.powerState(id)).isEqualTo(PowerState.SHUTDOWN);
        assertThat(mountsOf(id)).isEmpty();
        assertThat(cgroupDirs(id)).isEmpty();
        assertThat(console(id)).contains("shutting down");
        driver.powerOn(id);
        assertThat(driver.powerState(id)).isEqualTo(PowerState.RUNNING);
        assertThat(exec(id, "cat", "/root/f")).isEqualTo("kept");

        Path snapshot = stateDir.resolve("snapshot.tar");
        driver.snapshot(id, data -> {
            try (InputStream in = data.get()) {
                Files.copy(in, snapshot);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String listing = run("tar", "-tf", snapshot.toString()).output();
        assertThat(listing).contains("./root/f", "./bin/busybox").doesNotContain("./mnt/config/openstack");

        String copy = newId();
        driver.spawn(guest(copy, "copy", new Limits(1, 128, 1), "snapshot-1", DOCKER, snapshot, null));
        assertThat(exec(copy, "cat", "/root/f")).isEqualTo("kept");
        await("the copy boots", () -> console(copy).contains(StarterImage.BOOT_LINE + " copy"));
    }

    @Test
    void theRootDiskSizeIsEnforcedSurvivesPowerOffGrowsAndGoesWithDestroy() throws Exception {
        String id = newId();
        Path serverDir = stateDir.resolve("state/servers").resolve(id);
        Path disk = serverDir.resolve("disk.img");
        driver.spawn(guest(id, "disk", new Limits(1, 256, 1), "busybox-1", DOCKER, starter, null));
        assertThat(Files.size(disk)).isEqualTo(1L << 30);
        assertThat(loopsOf(id)).hasSize(1);
        assertThat(rootKib(id)).as("the root's size seen inside").isBetween(900L * 1024, 1024L * 1024);
        exec(id, "sh", "-c", "echo kept > /root/kept");

        // 2 GiB do not fit on a 1 GiB disk; the host's file system keeps its space.
        long begin = System.nanoTime();
        Exec.Result dd = run("crun", "exec", "nubes-" + id, "dd", "if=/dev/zero", "of=/root/big", "bs=1M", "count=2048");
        System.out.printf("dd of 2 GiB into a 1 GiB root disk: %d ms, exit %d%n", millisSince(begin), dd.exitCode());
        assertThat(dd.exitCode()).isNotZero();
        assertThat(dd.output()).contains("No space left on device");
        assertThat(allocatedBytes(disk)).as("blocks the disk file takes on the host").isLessThanOrEqualTo(1L << 30);
        assertThat(Files.size(disk)).isEqualTo(1L << 30);
        exec(id, "rm", "/root/big");

        // A smaller root disk is refused; a larger one grows (online where the kernel lets resize2fs).
        assertThatThrownBy(() -> driver.resize(id, new Limits(1, 256, 0))).isInstanceOf(DriverException.class)
                .hasMessageContaining("cannot shrink");
        begin = System.nanoTime();
        driver.resize(id, new Limits(1, 256, 2));
        System.out.printf("online grow of the root disk to 2 GiB: %d ms%n", millisSince(begin));
        assertThat(Files.size(disk)).isEqualTo(2L << 30);
        assertThat(driver.powerState(id)).isEqualTo(PowerState.RUNNING);
        // Online where resize2fs may (CAP_SYS_RESOURCE), else at the next power on: either size now.
        long kib = rootKib(id);
        System.out.println("root disk after a resize of the running server: " + (kib >> 10) + " MiB");
        assertThat(kib).satisfiesAnyOf(k -> assertThat(k).isBetween(900L * 1024, 1024L * 1024),
                k -> assertThat(k).isBetween(1900L * 1024, 2048L * 1024));

        // Power off leaves no mount and no loop device; power on (by a restarted Nubes) brings the data back.
        driver.powerOff(id);
        assertThat(mountsOf(id)).isEmpty();
        assertThat(loopsOf(id)).isEmpty();
        new ContainerDriver(stateDir.resolve("state"), "test-host",
                new ContainerDriver.Options(cgroupParent, Duration.ofSeconds(10), 1024, "127.0.0.1", "nova")).powerOn(id);
        assertThat(loopsOf(id)).hasSize(1);
        assertThat(exec(id, "cat", "/root/kept")).isEqualTo("kept");
        assertThat(rootKib(id)).isBetween(1900L * 1024, 2048L * 1024);
        driver.reboot(id, true);
        assertThat(exec(id, "cat", "/root/kept")).isEqualTo("kept");
        assertThatThrownBy(() -> driver.resize(id, new Limits(1, 256, 1))).isInstanceOf(DriverException.class)
                .hasMessageContaining("cannot shrink");

        // A stopped server's disk grows at once, offline, and is left unmounted.
        driver.powerOff(id);
        begin = System.nanoTime();
        driver.resize(id, new Limits(1, 256, 3));
        System.out.printf("offline grow of the root disk to 3 GiB: %d ms%n", millisSince(begin));
        assertThat(mountsOf(id)).isEmpty();
        assertThat(loopsOf(id)).isEmpty();
        driver.powerOn(id);
        assertThat(rootKib(id)).isBetween(2900L * 1024, 3072L * 1024);
        assertThat(exec(id, "cat", "/root/kept")).isEqualTo("kept");

        driver.destroy(id);
        assertThat(mountsOf(id)).isEmpty();
        assertThat(loopsOf(id)).isEmpty();
        assertThat(Files.exists(serverDir)).isFalse();

        // What the disk costs: warm spawns and destroys without and with one, interleaved.
        Map<Integer, List<Long>> spawnMs = new TreeMap<>();
        Map<Integer, List<Long>> destroyMs = new TreeMap<>();
        for (int i = 0; i < 6; i++) {
            for (int rootGb : List.of(0, 1)) {
                String other = newId();
                begin = System.nanoTime();
                driver.spawn(guest(other, "cost", new Limits(1, 64, rootGb), "busybox-1", DOCKER, starter, null));
                spawnMs.computeIfAbsent(rootGb, k -> new ArrayList<>()).add(millisSince(begin));
                begin = System.nanoTime();
                driver.destroy(other);
                destroyMs.computeIfAbsent(rootGb, k -> new ArrayList<>()).add(millisSince(begin));
            }
        }
        System.out.println("warm spawn ms by root_gb: " + spawnMs + ", destroy ms: " + destroyMs);

        // root_gb 0: no disk, the upper dir on the state dir's file system, as before.
        String unlimited = newId();
        driver.spawn(guest(unlimited, "nodisk", new Limits(1, 64, 0), "busybox-1", DOCKER, starter, null));
        exec(unlimited, "sh", "-c", "echo free > /root/f");
        assertThat(Files.exists(stateDir.resolve("state/servers").resolve(unlimited).resolve("disk.img"))).isFalse();
        assertThat(Files.readString(stateDir.resolve("state/servers").resolve(unlimited).resolve("upper/root/f")).strip())
                .isEqualTo("free");
        assertThat(loopsOf(unlimited)).isEmpty();
        driver.destroy(unlimited);
    }

    @Test
    void powerStatesFollowPauseSuspendAndOutsideKills() throws Exception {
        String id = newId();
        driver.spawn(guest(id, "states", new Limits(1, 128, 1), "busybox-1", DOCKER, starter, null));

        driver.pause(id);
        assertThat(driver.powerState(id)).isEqualTo(PowerState.PAUSED);
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/freezer", cgroupParent, "nubes-" + id, "freezer.state")).strip())
                .isEqualTo("FROZEN");
        driver.unpause(id);
        assertThat(driver.powerState(id)).isEqualTo(PowerState.RUNNING);
        driver.suspend(id);
        assertThat(driver.powerState(id)).isEqualTo(PowerState.SUSPENDED);
        driver.resume(id);
        assertThat(driver.powerState(id)).isEqualTo(PowerState.RUNNING);
        assertThatThrownBy(() -> driver.unpause(id)).isInstanceOf(DriverException.class);

        // The guest powers itself off: busybox init ends the container through reboot(2) (CAP_SYS_BOOT).
        run("crun", "exec", "nubes-" + id, "poweroff");
        await("SHUTDOWN after poweroff inside", () -> driver.powerState(id) == PowerState.SHUTDOWN);
        driver.powerOn(id);

        long pid = pid(id);
        assertThat(run("kill", "-9", Long.toString(pid)).exitCode()).isZero();
        await("SHUTDOWN after a kill from outside", () -> driver.powerState(id) == PowerState.SHUTDOWN);

        driver.powerOn(id);
        assertThat(driver.powerState(id)).isEqualTo(PowerState.RUNNING);
        long before = pid(id);
        long begin = System.nanoTime();
        driver.reboot(id, true);
        System.out.printf("hard reboot: %d ms%n", millisSince(begin));
        assertThat(driver.powerState(id)).isEqualTo(PowerState.RUNNING);
        assertThat(pid(id)).isNotEqualTo(before);
    }

    @Test
    void theMetadataServiceAnswersFromInsideTheServerOnly() throws Exception {
        String id = newId();
        driver.spawn(guest(id, "meta-1", new Limits(1, 64, 0), "busybox-1", DOCKER, starter,
                Base64.getEncoder().encodeToString("#!/bin/sh\necho from-user-data\n".getBytes(StandardCharsets.UTF_8))));
        String base = "http://" + MetadataServer.ADDRESS;
        await("the metadata service answering", () -> Exec.run(List.of("crun", "exec", "nubes-" + id, "wget", "-qO-",
                base + "/latest/meta-data/instance-id")).output().equals(id));
        var meta = Json.parse(exec(id, "wget", "-qO-", base + "/openstack/latest/meta_data.json").getBytes(StandardCharsets.UTF_8));
        assertThat(meta.path("uuid").asText()).isEqualTo(id);
        assertThat(meta.path("meta").path("role").asText()).isEqualTo("web");
        assertThat(exec(id, "wget", "-qO-", base + "/openstack/latest/user_data")).contains("echo from-user-data");
        assertThat(exec(id, "wget", "-qO-", base + "/latest/user-data")).contains("echo from-user-data");
        assertThat(exec(id, "wget", "-qO-", base + "/latest/meta-data/")).contains("instance-id").contains("public-keys/");
        assertThat(exec(id, "wget", "-qO-", base + "/latest/meta-data/public-keys/0/openssh-key"))
                .isEqualTo("ssh-ed25519 AAAAtest test@nubes");
        assertThat(exec(id, "wget", "-qO-", base + "/latest/meta-data/placement/availability-zone")).isEqualTo("nova");

        // It lives in the server's network namespace only, and ends with the server.
        long httpd = Long.parseLong(Files.readString(stateDir.resolve("state/servers").resolve(id).resolve("metadata.pid")).strip());
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(httpd), "ns/net")))
                .isEqualTo(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid(id)), "ns/net")))
                .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/net")));
        driver.powerOff(id);
        assertThat(processState(httpd)).isIn("gone", "Z");
        driver.powerOn(id);
        await("the metadata service answering after a restart", () -> Exec.run(List.of("crun", "exec", "nubes-" + id, "wget",
                "-qO-", base + "/latest/meta-data/hostname")).output().equals("meta-1"));
        driver.destroy(id);
    }

    @Test
    void portsAreConnectedBeforeBootKeptAcrossRebootsAndMadeAgainAfterPowerOff() throws Exception {
        List<String> plugged = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Stands in for the networking service: a veth pair with the port's address, both ends in the namespace.
        VirtDriver.Plugger plugger = (portId, netns, device) -> {
            plugged.add(portId + " " + device);
            Exec.check(List.of("nsenter", "--net=" + netns, "ip", "link", "add", device, "type", "veth", "peer", "name",
                    "peer-" + device));
            Exec.check(List.of("nsenter", "--net=" + netns, "ip", "addr", "add", "10.9.0." + (plugged.size() + 10) + "/24", "dev", device));
            Exec.check(List.of("nsenter", "--net=" + netns, "ip", "link", "set", device, "up"));
        };
        ContainerDriver withPorts = new ContainerDriver(stateDir.resolve("state"), "test-host",
                new ContainerDriver.Options(cgroupParent, Duration.ofSeconds(10), 1024, "127.0.0.1", "nova"), plugger);
        String id = newId();
        String userData = Base64.getEncoder().encodeToString("#!/bin/sh\nip -o addr show dev eth1\n".getBytes(StandardCharsets.UTF_8));
        Guest guest = guest(id, "ported", new Limits(1, 64, 0), "busybox-1", DOCKER, starter, userData);
        withPorts.spawn(new Guest(guest.instanceId(), guest.name(), guest.hostname(), guest.limits(), guest.imageId(),
                guest.imageProperties(), guest.imageData(), guest.userData(), guest.metadata(), guest.publicKey(),
                List.of("port-a", "port-b")));
        assertThat(plugged).containsExactly("port-a eth0", "port-b eth1");
        // The interfaces were there when the user data ran at boot.
        await("eth1 seen by the user data", () -> console(id).contains("10.9.0.12/24"));

        withPorts.reboot(id, true);
        assertThat(plugged).as("a reboot keeps the interfaces").hasSize(2);
        assertThat(exec(id, "ip", "-o", "addr", "show", "dev", "eth0")).contains("10.9.0.11/24");

        withPorts.powerOff(id);
        assertThat(mountsOf(id)).as("a stopped server holds no mount").isEmpty();
        withPorts.powerOn(id);
        assertThat(plugged).as("powerOn connects the ports again").hasSize(4);
        assertThat(exec(id, "ip", "-o", "addr", "show", "dev", "eth1")).contains("10.9.0.14/24");

        // A port attached to the running server takes the first free name, never one still there.
        withPorts.detachInterface(id, "port-a");
        Path netns = stateDir.resolve("state/servers").resolve(id).resolve("netns");
        Exec.check(List.of("nsenter", "--net=" + netns, "ip", "link", "del", "eth0")); // as the networking service does
        withPorts.attachInterface(id, "port-c");
        withPorts.attachInterface(id, "port-d");
        assertThat(plugged.subList(4, 6)).containsExactly("port-c eth0", "port-d eth2");
        assertThat(exec(id, "ip", "-o", "addr", "show", "dev", "eth1")).as("port-b keeps its interface").contains("10.9.0.14/24");

        withPorts.destroy(id);
        assertThat(mountsOf(id)).isEmpty();
        // Without a way to connect ports (as rootless), a server with ports runs with loopback only.
        String unconnected = newId();
        driver.spawn(new Guest(unconnected, "x", "x", new Limits(1, 64, 0), "busybox-1", DOCKER, () -> open(starter), null,
                Map.of(), null, List.of("port-c")));
        assertThat(exec(unconnected, "ls", "/sys/class/net")).isEqualTo("lo");
        driver.destroy(unconnected);
    }

    @Test
    void destroyLeavesNothingBehind() throws Exception {
        String id = newId();
        driver.spawn(guest(id, "doomed", new Limits(1, 128, 1), "busybox-1", DOCKER, starter, null));
        long pid = pid(id);
        driver.pause(id); // the hardest case: a frozen container
        assertThat(mountsOf(id)).isNotEmpty();

        driver.destroy(id);
        assertThat(mountsOf(id)).isEmpty();
        assertThat(loopsOf(id)).isEmpty();
        assertThat(cgroupDirs(id)).isEmpty();
        // Gone, or a zombie until the host's init reaps it (this machine's PID 1 does so lazily).
        assertThat(processState(pid)).isIn("gone", "Z");
        assertThat(Files.exists(stateDir.resolve("state/servers").resolve(id))).isFalse();
        assertThat(run("crun", "state", "nubes-" + id).exitCode()).isNotZero();
        assertThat(driver.powerState(id)).isEqualTo(PowerState.NOSTATE);
        assertThat(driver.instances()).doesNotContain(id);
        driver.destroy(id); // a missing server is destroyed already
        assertThatThrownBy(() -> driver.powerOn(id)).isInstanceOf(DriverException.class).hasMessageContaining("could not be found");
    }

    @Test
    void concurrentSpawnsOfOneImageUnpackItOnce() throws Exception {
        AtomicInteger downloads = new AtomicInteger();
        List<String> ids = List.of(newId(), newId(), newId());
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> spawns = new ArrayList<>();
            for (String id : ids) {
                spawns.add(executor.submit(() -> {
                    driver.spawn(new Guest(id, "c", "c", new Limits(1, 64, 1), "busybox-concurrent", DOCKER, () -> {
                        downloads.incrementAndGet();
                        return open(starter);
                    }, null, Map.of(), null));
                    return null;
                }));
            }
            for (Future<?> spawn : spawns) {
                spawn.get();
            }
        }
        assertThat(downloads).hasValue(1);
        for (String id : ids) {
            assertThat(driver.powerState(id)).isEqualTo(PowerState.RUNNING);
            driver.destroy(id);
        }
    }

    @Test
    void gzipImagesRunAndAFailedStartLeavesNothing() throws Exception {
        Path gzip = stateDir.resolve("busybox.tar.gz");
        try (var out = new GZIPOutputStream(Files.newOutputStream(gzip))) {
            Files.copy(starter, out);
        }
        String id = newId();
        driver.spawn(guest(id, "zipped", new Limits(1, 64, 1), "busybox-gzip", DOCKER, gzip, null));
        await("the gzip image boots", () -> console(id).contains(StarterImage.BOOT_LINE + " zipped"));
        driver.destroy(id);

        // crun itself refuses to start: a directory as init.
        String broken = newId();
        Guest guest = new Guest(broken, "broken", "broken", new Limits(1, 64, 1), "busybox-gzip",
                Map.of("container_format", "docker", "nubes_init", "/etc"), () -> open(gzip), null, Map.of(), null);
        assertThatThrownBy(() -> driver.spawn(guest)).isInstanceOf(DriverException.class)
                .hasMessageContaining("Starting the container failed");
        assertThat(mountsOf(broken)).isEmpty();
        assertThat(loopsOf(broken)).isEmpty();
        assertThat(cgroupDirs(broken)).isEmpty();
        assertThat(Files.exists(stateDir.resolve("state/servers").resolve(broken))).isFalse();
        assertThat(run("crun", "state", "nubes-" + broken).exitCode()).isNotZero();
    }

    @Test
    void imagesThatAreNotRootFileSystemsAreRefusedWithoutLeftovers() throws Exception {
        String id = newId();
        Guest qcow = new Guest(id, "vm", "vm", new Limits(1, 64, 1), "qcow-1", Map.of("container_format", "bare",
                "disk_format", "qcow2"), () -> new ByteArrayInputStream(new byte[0]), null, Map.of(), null);
        assertThatThrownBy(() -> driver.spawn(qcow)).isInstanceOf(DriverException.class).hasMessageContaining("qcow2");
        Guest junk = new Guest(id, "junk", "junk", new Limits(1, 64, 1), "junk-1", DOCKER,
                () -> new ByteArrayInputStream("not a tar at all".getBytes(StandardCharsets.UTF_8)), null, Map.of(), null);
        assertThatThrownBy(() -> driver.spawn(junk)).isInstanceOf(DriverException.class).hasMessageContaining("not a tar");
        Guest noInit = new Guest(id, "x", "x", new Limits(1, 64, 1), "busybox-2", Map.of("container_format", "docker",
                "nubes_init", "/no/such/init"), () -> open(starter), null, Map.of(), null);
        assertThatThrownBy(() -> driver.spawn(noInit)).isInstanceOf(DriverException.class).hasMessageContaining("/no/such/init");
        assertThat(Files.exists(stateDir.resolve("state/servers").resolve(id))).isFalse();
        assertThat(Files.exists(stateDir.resolve("state/images/junk-1"))).isFalse();
        try (Stream<Path> images = Files.list(stateDir.resolve("state/images"))) {
            assertThat(images.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".unpack"));
        }
    }

    // --- helpers ---

    private static String newId() {
        String id = UUID.randomUUID().toString();
        spawned.add(id);
        return id;
    }

    private static Guest guest(String id, String name, Limits limits, String imageId, Map<String, String> properties,
            Path image, String userData) {
        return new Guest(id, name, name, limits, imageId, properties, () -> open(image), userData,
                Map.of("role", "web"), "ssh-ed25519 AAAAtest test@nubes");
    }

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String console(String id) throws DriverException {
        return driver.consoleOutput(id, -1);
    }

    private static String exec(String id, String... command) throws DriverException {
        List<String> full = new ArrayList<>(List.of("crun", "exec", "nubes-" + id));
        full.addAll(List.of(command));
        return Exec.check(full);
    }

    private static long pid(String id) throws DriverException {
        return Json.parse(Exec.check(List.of("crun", "state", "nubes-" + id)).getBytes(StandardCharsets.UTF_8)).path("pid").asLong();
    }

    private static String processState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return "gone";
        }
    }

    private static String cgroupFile(String controller, String id, String file) throws IOException {
        return Files.readString(Path.of("/sys/fs/cgroup", controller, cgroupParent, "nubes-" + id, file)).strip();
    }

    private static List<Path> cgroupDirs(String id) throws IOException {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            return hierarchies.map(h -> h.resolve(cgroupParent).resolve("nubes-" + id)).filter(Files::exists).toList();
        }
    }

    /** The size of the server's root file system as df inside sees it, in KiB. */
    private static long rootKib(String id) throws DriverException {
        String last = exec(id, "df", "-k", "/").lines().reduce((a, b) -> b).orElseThrow();
        return Long.parseLong(last.trim().split("\\s+")[1]);
    }

    private static long allocatedBytes(Path file) {
        String[] blocks = run("stat", "-c", "%b %B", file.toString()).output().split(" ");
        return Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]);
    }

    /** The loop devices on the server's files (its root disk). */
    private static List<String> loopsOf(String id) throws IOException {
        return loopsUnder(stateDir.resolve("state/servers").toRealPath().resolve(id));
    }

    /** The loop devices whose backing file is under dir (read from sysfs, which has the full path). */
    static List<String> loopsUnder(Path dir) throws IOException {
        String prefix = dir + "/";
        List<String> loops = new ArrayList<>();
        try (Stream<Path> devices = Files.list(Path.of("/sys/block"))) {
            for (Path device : devices.filter(d -> d.getFileName().toString().startsWith("loop")).toList()) {
                Path backing = device.resolve("loop/backing_file");
                if (Files.exists(backing)) {
                    try {
                        if (Files.readString(backing).strip().startsWith(prefix)) {
                            loops.add("/dev/" + device.getFileName());
                        }
                    } catch (IOException e) {
                        // detached meanwhile
                    }
                }
            }
        }
        return loops;
    }

    private static List<String> mountsOf(String id) throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream().filter(l -> l.contains(id)).toList();
    }

    private static Exec.Result run(String... command) {
        try {
            return Exec.run(List.of(command));
        } catch (DriverException e) {
            return new Exec.Result(-1, e.getMessage());
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
