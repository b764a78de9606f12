package org.nubes.compute.driver.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.nubes.compute.driver.DriverException;
import org.nubes.compute.driver.VirtDriver;
import org.nubes.core.host.Host;
import org.nubes.core.json.Json;

/**
 * Servers as OS-level containers run by crun: the seed's "shared base OS, only the differences per
 * server".
 *
 * <h2>State on disk</h2>
 * Everything the driver knows lives under {@code stateDir}, so a restarted Nubes adopts what runs
 * (a running container keeps running and is never started twice) and nothing is held in memory:
 * <pre>
 * images/&lt;imageId&gt;/rootfs        the image unpacked once, the shared read-only lower layer
 * servers/&lt;instanceId&gt;/server.json what the server is (image, init, limits)
 *                      disk.img        the root disk: a sparse file of root_gb GiB holding an ext4
 *                                      file system (only when root_gb &gt; 0)
 *                      layer           disk.img's mount point (loop device), with upper and work in it
 *                      upper, work     the overlayfs upper and work dirs: the server's differences
 *                                      (in layer/ when the server has a disk.img, else right here)
 *                      rootfs          the overlay (lower + upper), the container's root
 *                      config.json     the OCI config, written anew at every start
 *                      console.log     PID 1's stdout and stderr (and crun's own errors)
 *                      config-drive/   openstack/latest/{meta_data.json,user_data}, at /mnt/config
 *                      netns           the server's network namespace (a bind mount), with its ports
 *                      metadata/       what the metadata service at 169.254.169.254 answers, and
 *                      metadata.pid    its process (see {@link MetadataServer})
 *                      suspended       present while the server is suspended
 * </pre>
 *
 * <h2>Images</h2>
 * An image is a tar of a root filesystem (plain or gzip, told apart by its magic bytes) with
 * container_format {@code docker} or {@code bare} (then disk_format raw, or none): what
 * {@code docker export} or {@link StarterImage} produce; a {@code docker save} archive of layers
 * is not. GNU tar unpacks it as root (owners, modes, xattrs and device nodes kept; GNU tar refuses
 * names with ".." and defers symlinks that point outside), into a temporary directory that is then
 * renamed into place, so concurrent spawns of one image unpack it once (in one process by a lock
 * per image; across processes the loser of the rename throws its copy away). Unpacked images stay
 * until the state dir is cleaned: nothing removes an image no server uses yet.
 *
 * <h2>Servers</h2>
 * The container id is "nubes-" + instance id; it never leaves the driver. PID 1 is the image's
 * {@code /sbin/init}, or the command in the image property {@code nubes_init} (a JSON array of
 * strings, or words separated by spaces). PID 1 must reap orphans, as any init does; a plain
 * program as {@code nubes_init} fills the pids limit with zombies. The container has its own pid,
 * mount, uts (hostname = the guest's hostname), ipc and network namespaces; the network namespace
 * is made at spawn and kept in {@code netns} (see {@link #networkNamespace}), and the networking
 * service connects the server's ports to it (eth0, eth1, ...) before PID 1 starts. As root there is no user namespace: see
 * {@link OciConfig} for the capabilities root inside gets. As an ordinary user all servers share
 * one user namespace and run without cgroup limits: see {@link Privileges}. Flavor limits are cgroup (v1) limits: memory = memory_mb
 * MiB (swap is not limited separately), CPU quota = vcpus periods of 100 ms, a pids limit, in
 * the cgroup {@code /<cgroupParent>/nubes-<instanceId>} of every hierarchy (the parent is shared
 * and stays; the driver removes the server's own dir, which crun delete leaves).
 *
 * <h2>Root disk</h2>
 * The flavor's root disk size (root_gb) is enforced on the server's writable layer: spawn creates
 * {@code disk.img}, a sparse file of root_gb GiB (it takes only the blocks written), makes an ext4
 * file system in it ({@code mkfs.ext4 -m 0}, inode tables and journal left lazily zeroed, which a
 * fresh sparse file already is) and mounts it with {@code mount -o loop} (autoclear: unmounting
 * it frees the loop device) at {@code layer}, where the overlay's upper and work dirs live. A
 * write inside the server beyond the size fails with ENOSPC ("No space left on device"); the
 * host's file system is not affected. That costs a spawn 10 to 25 ms (mkfs.ext4 ~5 ms and the
 * loop mount ~6 ms, plus starting the two programs) and a destroy about as much (unmounting the
 * ext4), and takes one loop device per running server (the kernel makes them on demand; 300 at
 * once were tried). Blocks freed inside are not given back to the host (no discard), so a disk
 * file takes at most root_gb GiB on the host, whatever is deleted inside. The image's own files (the
 * shared lower layer) do not count against the size, only the server's differences do.
 * root_gb 0 (Nova's "no root disk size") means no disk: the upper dir lives in the server dir on
 * the state dir's file system, unlimited, as do servers made before the size was enforced (the
 * layout is told by whether disk.img exists, not by the flavor).
 * <ul>
 * <li>The layer is mounted before the overlay and unmounted after it: whenever the overlay is
 * (spawn, powerOn, snapshot of a stopped server), and it stays mounted across reboot.
 * <li>resize to a larger root_gb grows the file at once. A stopped server's ext4 is grown then,
 * offline ({@code e2fsck -f -p}, {@code resize2fs}, ~60 ms). A running server's is grown online
 * ({@code losetup -c}, {@code resize2fs} on the mounted device) where the kernel allows it, which
 * needs CAP_SYS_RESOURCE: where Nubes runs without it (as on the test machines) the server keeps
 * its old size until the next powerOn after a powerOff (not a reboot, which keeps the disk mounted):
 * every mount of the disk first grows an ext4 smaller than its file, offline. A smaller root_gb,
 * 0 included, is refused, as Nova refuses to shrink a root disk. A server without a disk stays
 * without one.
 * <li>destroy unmounts overlay and layer, detaches any loop device still backed by disk.img, and
 * deletes the file.
 * </ul>
 *
 * <p>crun run and create fail on this host's hybrid cgroups, so they run in a throw-away mount
 * namespace that hides the cgroup2 mount (see HOST-NOTES); other crun commands run as they are. A
 * detached container keeps crun's stdout and stderr, so crun is started with both appended to
 * console.log and never with a pipe to Java.
 *
 * <h2>Power</h2>
 * <ul>
 * <li>powerOff: SIGTERM to PID 1, up to {@link Options#stopTimeout()} for it to end (busybox init
 * takes about 2 s), then SIGKILL; then crun delete, the leftover cgroup dirs removed and the
 * overlay unmounted, then the root disk. The upper dir stays, so the server's changes survive;
 * powerOn mounts the root disk and the overlay again and runs a new container over it. A stopped
 * server therefore holds no mount, no loop device, no cgroup and no process, and a host reboot
 * leaves servers in the same state as powerOff does.
 * <li>reboot: powerOff + powerOn without unmounting; hard: SIGKILL at once.
 * <li>pause and suspend both freeze the container (cgroup freezer, crun pause). Suspend is the
 * same freeze reported as SUSPENDED: the memory stays resident, nothing is written to disk.
 * <li>resize: crun update with the new memory and CPU limits (a running server keeps running), the
 * root disk grown (see above), and the new limits kept for the next start.
 * <li>snapshot: a tar of the merged root (the image plus the server's differences, without the
 * contents of /proc, /sys, /dev and /mnt/config), streamed from tar's stdout to the sink: an
 * uncompressed tar, to be stored as container_format docker, disk_format raw, so it can be spawned
 * again. A running server is not frozen while it is read.
 * <li>A container that stopped by itself (its PID 1 ended: killed, or the guest powered off or
 * rebooted itself) is SHUTDOWN until powerOn.
 * </ul>
 * Operations on one server are serialised by a lock per instance id. spawn of a server whose
 * container runs (or is paused) does nothing, so a retried spawn never starts a server twice; spawn
 * of a server that exists but does not run starts it over from the image.
 */
public final class ContainerDriver implements VirtDriver {
    /** Settings a deployment may change; {@link #defaults()} are the production values. */
    public record Options(String cgroupParent, Duration stopTimeout, int pidsLimit, String hostIp,
            String availabilityZone) {
        public static Options defaults() {
            return new Options("nubes", Duration.ofSeconds(10), 1024, "127.0.0.1", "nova");
        }

        public Options {
            if (!SAFE_NAME.matcher(cgroupParent).matches()) {
                throw new IllegalArgumentException("cgroup parent must be a plain name: " + cgroupParent);
            }
        }
    }

    /** What server.json holds: enough to start the server again after a restart of Nubes. */
    record Server(String instanceId, String hostname, String imageId, List<String> init, Limits limits, List<String> portIds) {
        Server {
            portIds = portIds == null ? List.of() : List.copyOf(portIds); // none in servers made before ports
        }

        Server withLimits(Limits newLimits) {
            return new Server(instanceId, hostname, imageId, init, newLimits, portIds);
        }

        Server withPorts(List<String> ports) {
            return new Server(instanceId, hostname, imageId, init, limits, ports);
        }
    }

    /** The part of crun state the driver uses. */
    private record State(String status, long pid, Instant created) {
        boolean running() {
            return status.equals("running");
        }

        boolean paused() {
            return status.equals("paused");
        }
    }

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    /** crun run/create in a mount namespace without the cgroup2 mount of hybrid hosts (see HOST-NOTES). */
    private static final String HYBRID_WRAPPER = "if grep -q ' /sys/fs/cgroup/unified ' /proc/self/mounts; then "
            + "umount -l /sys/fs/cgroup/unified; fi; exec crun \"$@\"";
    private static final long CONSOLE_MAX_BYTES = 4L << 20;

    private final Path stateDir;
    private final String hostname;
    private final Options options;
    private final Privileges privileges;
    private final Plugger plugger;
    private final Images images;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private volatile Integer crunVersion;

    public ContainerDriver(Path stateDir, String hostname) {
        this(stateDir, hostname, Options.defaults());
    }

    public ContainerDriver(Path stateDir, String hostname, Options options) {
        this(stateDir, hostname, options, null);
    }

    /** With the callback that connects servers' ports to their namespaces (null: servers get no ports). */
    public ContainerDriver(Path stateDir, String hostname, Options options, Plugger plugger) {
        this.plugger = plugger;
        try {
            Files.createDirectories(stateDir.resolve("images"));
            Files.createDirectories(stateDir.resolve("servers"));
            // The real path, because /proc/self/mountinfo shows mounts by it.
            this.stateDir = stateDir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the container state dir " + stateDir, e);
        }
        // overlayfs options are separated by commas and lowerdir lists by colons.
        if (this.stateDir.toString().matches(".*[,:\\s\\\\].*")) {
            throw new IllegalArgumentException("the container state dir must not contain , : \\ or spaces: " + stateDir);
        }
        this.hostname = hostname;
        this.options = options;
        try {
            this.privileges = Host.isRoot() ? new Privileges.Root() : Privileges.Rootless.adoptOrStart(this.stateDir);
        } catch (DriverException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        this.images = new Images(this.stateDir.resolve("images"), privileges);
    }

    /**
     * Why this driver cannot run on this machine, in one line, or empty when it can. It needs Linux,
     * crun, unshare, tar and mount, overlayfs, and either root, with cgroups and, for root disks,
     * losetup, mkfs.ext4, e2fsck and resize2fs (e2fsprogs) with loop devices and ext4 in the kernel;
     * or, as an ordinary user, user namespaces with overlay mounts (see {@link Privileges}).
     */
    public static Optional<String> unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return Optional.of("the container driver needs Linux");
        }
        if (!Host.isRoot()) {
            return Privileges.rootlessUnavailableReason();
        }
        Optional<String> missing = Host.missing("crun", "unshare", "tar", "mount", "umount", "sh", "losetup", "mkfs.ext4",
                "e2fsck", "resize2fs");
        if (missing.isPresent()) {
            return missing;
        }
        try {
            if (!Files.readString(Path.of("/proc/filesystems")).contains("\toverlay\n")) {
                return Optional.of("the kernel has no overlayfs");
            }
            if (!Files.isDirectory(CGROUP_ROOT) || Files.list(CGROUP_ROOT).findAny().isEmpty()) {
                return Optional.of("no cgroup file system is mounted at /sys/fs/cgroup");
            }
        } catch (IOException e) {
            return Optional.of("cannot inspect the host: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** What the person starting Nubes should know about this driver, or empty. */
    public Optional<String> note() {
        return privileges.limits() ? Optional.empty() : Optional.of("compute runs rootless containers (Nubes is not root): "
                + "flavor memory, CPU and root disk limits are not enforced and pause/suspend are not available");
    }

    @Override
    public String name() {
        return "container";
    }

    @Override
    public EnumSet<Capability> capabilities() {
        EnumSet<Capability> capabilities = EnumSet.allOf(Capability.class);
        if (!privileges.limits()) {
            capabilities.removeAll(EnumSet.of(Capability.PAUSE, Capability.SUSPEND)); // the freezer is a cgroup
        }
        return capabilities;
    }

    @Override
    public HostInfo host() {
        int cpus = Runtime.getRuntime().availableProcessors();
        long memoryKb = 0;
        String model = "unknown";
        String vendor = "unknown";
        long diskGb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memoryKb = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                String value = line.contains(":") ? line.substring(line.indexOf(':') + 1).strip() : "";
                if (line.startsWith("model name")) {
                    model = value;
                } else if (line.startsWith("vendor_id")) {
                    vendor = value;
                }
            }
            diskGb = Files.getFileStore(stateDir).getTotalSpace() >> 30;
        } catch (IOException | RuntimeException e) {
            // A host that hides these still runs servers; it only reports less.
        }
        ObjectNode cpuInfo = Json.object().put("arch", System.getProperty("os.arch")).put("model", model)
                .put("vendor", vendor);
        cpuInfo.putObject("topology").put("cells", 1).put("sockets", 1).put("cores", cpus).put("threads", 1);
        cpuInfo.putArray("features");
        return new HostInfo(hostname, "crun", crunVersion(), options.hostIp(), cpus, (int) (memoryKb / 1024),
                (int) diskGb, Json.string(cpuInfo));
    }

    @Override
    public void spawn(Guest guest) throws DriverException {
        String id = checkName("instance", guest.instanceId());
        synchronized (lock(id)) {
            State existing = state(id);
            if (existing != null && (existing.running() || existing.paused()) && Files.isDirectory(dir(id))) {
                return; // spawned before a restart or a retry: never start a server twice
            }
            destroyLocked(id); // leftovers of an earlier failed attempt
            try {
                Path lower = images.unpacked(checkName("image", guest.imageId()), guest);
                List<String> init = Images.init(guest.imageProperties(), lower);
                Path dir = dir(id);
                Files.createDirectories(dir.resolve("rootfs"));
                int rootGb = guest.limits() == null || !privileges.limits() ? 0 : guest.limits().rootGb();
                if (rootGb > 0) {
                    createDisk(id, rootGb);
                }
                Path layer = layer(id);
                for (String sub : List.of("upper", "work")) {
                    Files.createDirectories(layer.resolve(sub));
                }
                ConfigDrive.write(dir.resolve("config-drive"), guest, options.availabilityZone());
                // Where ports cannot be connected (rootless, or no networking), the server has loopback only.
                Server server = new Server(id, guest.hostname(), guest.imageId(), init, guest.limits(),
                        connectsPorts() ? guest.portIds() : List.of());
                save(server);
                start(server);
            } catch (DriverException | IOException | RuntimeException e) {
                try {
                    destroyLocked(id);
                } catch (DriverException | RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                if (e instanceof DriverException driverException) {
                    throw driverException;
                }
                throw new DriverException("Spawning the container failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void destroy(String instanceId) throws DriverException {
        String id = checkName("instance", instanceId);
        synchronized (lock(id)) {
            destroyLocked(id);
        }
    }

    @Override
    public void powerOff(String instanceId) throws DriverException {
        String id = checkName("instance", instanceId);
        synchronized (lock(id)) {
            load(id);
            stop(id, options.stopTimeout());
            unmount(id, false);
        }
    }

    @Override
    public void powerOn(String instanceId) throws DriverException {
        String id = checkName("instance", instanceId);
        synchronized (lock(id)) {
            Server server = load(id);
            State state = state(id);
            if (state != null && (state.running() || state.paused())) {
                return;
            }
            stop(id, Duration.ZERO); // deletes a container that stopped by itself
            start(server);
        }
    }

    @Override
    public void reboot(String instanceId, boolean hard) throws DriverException {
        String id = checkName("instance", instanceId);
        synchronized (lock(id)) {
            Server server = load(id);
            stop(id, hard ? Duration.ZERO : options.stopTimeout());
            start(server);
        }
    }

    @Override
    public void pause(String instanceId) throws DriverException {
        freeze(instanceId, false);
    }

    @Override
    public void unpause(String instanceId) throws DriverException {
        thaw(instanceId);
    }

    @Override
    public void suspend(String instanceId) throws DriverException {
        freeze(instanceId, true);
    }

    @Override
    public void resume(String instanceId) throws DriverException {
        thaw(instanceId);
    }

    @Override
    public void attachInterface(String instanceId, String portId) throws DriverException {
        String id = checkName("instance", instanceId);
        synchronized (lock(id)) {
            Server server = load(id);
            if (!connectsPorts() || server.portIds().contains(portId)) {
                return;
            }
            List<String> ports = new ArrayList<>(server.portIds());
            ports.add(portId);
            save(server.withPorts(ports));
            State state = state(id);
            if (state == null || !(state.running() || state.paused())) {
                return; // connected with the others at the next start
            }
            Path netns = networkNamespace(id);
            if (!mounted(netns)) {
                // A server that started without ports runs in crun's namespace: it becomes the kept one.
                try {
                    Files.deleteIfExists(netns);
                    Files.createFile(netns);
                } catch (IOException e) {
                    throw new DriverException("cannot create the network namespace file: " + e.getMessage(), e);
                }
                Exec.check(List.of("mount", "--bind", "/proc/" + state.pid() + "/ns/net", netns.toString()));
            }
            plugger.plug(portId, netns, freeDevice(interfaces(state.pid())));
        }
    }

    @Override
    public void detachInterface(String instanceId, String portId) throws DriverException {
        String id = checkName("instance", instanceId);
        synchronized (lock(id)) {
            Server server = load(id);
            List<String> ports = new ArrayList<>(server.portIds());
            if (ports.remove(portId)) {
                save(server.withPorts(ports));
            }
        }
    }

    @Override
    public void resize(String instanceId, Limits limits) throws DriverException {
        String id = checkName("instance", instanceId);
        synchronized (lock(id)) {
            Server server = load(id);
            long diskBytes = diskBytes(id);
            long newDiskBytes = (long) limits.rootGb() << 30;
            if (diskBytes > 0 && newDiskBytes < diskBytes) {
                throw new DriverException("Cannot resize the root disk of instance " + id + " from "
                        + (diskBytes >> 30) + " GB to " + limits.rootGb() + " GB: a root disk cannot shrink"
                        + (limits.rootGb() == 0 ? " or lose its size" : ""));
            }
            State state = state(id);
            if (privileges.limits() && state != null && (state.running() || state.paused())) {
                privileges.checkCrun(List.of("update", "--memory=" + OciConfig.memoryBytes(limits),
                        "--cpu-quota=" + OciConfig.cpuQuota(limits), "--cpu-period=" + OciConfig.CPU_PERIOD_US,
                        "--cpu-share=" + 1024L * Math.max(1, limits.vcpus()), containerId(id)));
            }
            if (diskBytes > 0 && newDiskBytes > diskBytes) {
                growDisk(id, newDiskBytes);
            }
            save(server.withLimits(limits));
        }
    }

    @Override
    public void snapshot(String instanceId, ImageSink sink) throws DriverException {
        String id = checkName("instance", instanceId);
        synchronized (lock(id)) {
            load(id);
            boolean mountedHere = mount(id);
            Path errors = dir(id).resolve("snapshot.err");
            List<String> command = privileges.command(List.of("tar", "-C", dir(id).resolve("rootfs").toString(), "-c", "-f", "-",
                    "--numeric-owner", "--xattrs", "--xattrs-include=*", "--anchored",
                    "--exclude=./proc/*", "--exclude=./sys/*", "--exclude=./dev/*",
                    "--exclude=." + ConfigDrive.MOUNT_POINT + "/*", "."));
            List<Process> started = new ArrayList<>();
            try {
                sink.write(() -> {
                    try {
                        Process tar = new ProcessBuilder(command).redirectError(errors.toFile())
                                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                        started.add(tar);
                        return tar.getInputStream();
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot run tar: " + e.getMessage(), e);
                    }
                });
                for (Process tar : started) {
                    // tar exits with 1 when a file changed while it read it: normal for a running server.
                    if (!tar.waitFor(30, TimeUnit.SECONDS) || tar.exitValue() > 1) {
                        throw new DriverException("Snapshot failed: tar " + (tar.isAlive() ? "did not finish: the sink "
                                + "stopped reading" : "failed: " + readQuietly(errors)));
                    }
                }
            } catch (RuntimeException e) {
                throw new DriverException("Snapshot failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DriverException("Snapshot interrupted", e);
            } finally {
                started.forEach(Process::destroyForcibly);
                deleteQuietly(errors);
                if (mountedHere) {
                    unmount(id, false);
                }
            }
        }
    }

    @Override
    public String consoleOutput(String instanceId, int maxLines) throws DriverException {
        String id = checkName("instance", instanceId);
        load(id);
        Path console = dir(id).resolve("console.log");
        if (!Files.exists(console)) {
            return "";
        }
        String text;
        try (RandomAccessFile file = new RandomAccessFile(console.toFile(), "r")) {
            // A console grows without end; only its tail is ever shown.
            long from = Math.max(0, file.length() - CONSOLE_MAX_BYTES);
            byte[] bytes = new byte[(int) (file.length() - from)];
            file.seek(from);
            file.readFully(bytes);
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DriverException("cannot read the console log: " + e.getMessage(), e);
        }
        if (maxLines < 0) {
            return text;
        }
        List<String> lines = Arrays.asList(text.split("\n", -1));
        if (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines = lines.subList(0, lines.size() - 1); // the newline that ends the last line
        }
        List<String> tail = lines.subList(Math.max(0, lines.size() - maxLines), lines.size());
        return tail.isEmpty() ? "" : String.join("\n", tail) + "\n";
    }

    @Override
    public Diagnostics diagnostics(String instanceId) throws DriverException {
        String id = checkName("instance", instanceId);
        Server server = load(id);
        State state = state(id);
        PowerState power = powerState(id);
        long uptime = state != null && state.running() && state.created() != null
                ? Math.max(0, Duration.between(state.created(), Instant.now()).toSeconds()) : 0;
        Map<String, Object> extra = new HashMap<>();
        String cgroup = options.cgroupParent() + "/" + containerId(id);
        cgroupValue("memory", cgroup, "memory.usage_in_bytes").ifPresent(v -> extra.put("memory_usage_bytes", v));
        cgroupValue("cpuacct", cgroup, "cpuacct.usage").ifPresent(v -> extra.put("cpu_time_ns", v));
        cgroupValue("pids", cgroup, "pids.current").ifPresent(v -> extra.put("processes", v));
        return new Diagnostics(power == PowerState.RUNNING ? "running" : power.name().toLowerCase(Locale.ROOT),
                "container", true, uptime, server.limits().vcpus(), server.limits().memoryMb(), extra);
    }

    @Override
    public PowerState powerState(String instanceId) {
        if (instanceId == null || !SAFE_NAME.matcher(instanceId).matches() || !Files.isRegularFile(serverFile(instanceId))) {
            return PowerState.NOSTATE;
        }
        try {
            State state = state(instanceId);
            if (state == null || !(state.running() || state.paused())) {
                return PowerState.SHUTDOWN;
            }
            if (state.paused()) {
                return Files.exists(dir(instanceId).resolve("suspended")) ? PowerState.SUSPENDED : PowerState.PAUSED;
            }
            return PowerState.RUNNING;
        } catch (DriverException e) {
            return PowerState.NOSTATE;
        }
    }

    @Override
    public List<String> instances() {
        try (Stream<Path> dirs = Files.list(stateDir.resolve("servers"))) {
            return dirs.map(d -> d.getFileName().toString()).filter(id -> Files.isRegularFile(serverFile(id))).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    // --- servers ---

    private void start(Server server) throws DriverException {
        String id = server.instanceId();
        Path dir = dir(id);
        mount(id);
        plugPorts(server);
        Path console = dir.resolve("console.log");
        try {
            Files.deleteIfExists(dir.resolve("suspended"));
            Files.write(dir.resolve("config.json"), OciConfig.render(server.hostname(), server.init(),
                    privileges.limits() ? new OciConfig.Cgroup("/" + options.cgroupParent() + "/" + containerId(id),
                            server.limits(), options.pidsLimit()) : null, dir.resolve("config-drive"),
                    server.portIds().isEmpty() ? null : networkNamespace(id)));
            if (!Files.exists(console)) {
                Files.createFile(console);
            }
        } catch (IOException e) {
            throw new DriverException("cannot write the container config: " + e.getMessage(), e);
        }
        long before = console.toFile().length();
        List<String> run = List.of("run", "-d", "--bundle", dir.toString(), containerId(id));
        List<String> command = privileges instanceof Privileges.Root
                ? Privileges.concat(List.of("unshare", "-m", "--propagation", "slave", "sh", "-c", HYBRID_WRAPPER, "crun"), run)
                : privileges.crun(run);
        Process crun = Exec.start(new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(console.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))), command);
        try {
            if (!crun.waitFor(60, TimeUnit.SECONDS)) {
                crun.destroyForcibly();
                throw new DriverException("crun run did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DriverException("interrupted while starting the container", e);
        }
        if (crun.exitValue() != 0) {
            String message = consoleSince(console, before);
            stop(id, Duration.ZERO);
            throw new DriverException("Starting the container failed: " + message);
        }
        if (MetadataServer.unavailableReason().isEmpty()) {
            try {
                MetadataServer.write(dir.resolve("metadata"), dir.resolve("config-drive"));
                State started = state(id);
                MetadataServer.start(started.pid(), dir.resolve("metadata"), dir.resolve("metadata.pid"), privileges);
            } catch (DriverException | RuntimeException e) {
                stop(id, Duration.ZERO);
                throw e;
            }
        }
    }

    /** Ends the container (SIGTERM, then SIGKILL after the grace time) and deletes it and its cgroups. */
    private void stop(String id, Duration grace) throws DriverException {
        MetadataServer.stop(dir(id).resolve("metadata.pid"));
        String container = containerId(id);
        State state = state(id);
        if (state != null) {
            if (state.paused()) {
                Exec.run(privileges.crun(List.of("resume", container))); // a frozen process cannot act on a signal
            }
            if (alive(state.pid())) {
                if (grace.isPositive()) {
                    Exec.run(privileges.crun(List.of("kill", container, "TERM")));
                    waitForExit(state.pid(), grace);
                }
                if (alive(state.pid())) {
                    // Without cgroups crun cannot list the processes; PID 1's death ends its pid namespace.
                    Exec.run(privileges.crun(privileges.limits() ? List.of("kill", "--all", container, "KILL")
                            : List.of("kill", container, "KILL")));
                    if (!waitForExit(state.pid(), Duration.ofSeconds(10))) {
                        throw new DriverException("The container's init (pid " + state.pid() + ") did not end after SIGKILL");
                    }
                }
            }
            Exec.Result deleted = Exec.run(privileges.crun(List.of("delete", "--force", container)));
            if (!deleted.ok() && state(id) != null) {
                throw new DriverException("crun delete failed: " + deleted.output());
            }
        }
        removeCgroups(id);
        deleteQuietly(dir(id).resolve("suspended"));
    }

    private void destroyLocked(String id) throws DriverException {
        stop(id, Duration.ZERO);
        unmount(id, true);
        Path dir = dir(id);
        if (Files.exists(dir)) {
            privileges.deleteTree(dir);
        }
    }

    private void freeze(String instanceId, boolean suspend) throws DriverException {
        Capability needed = suspend ? Capability.SUSPEND : Capability.PAUSE;
        if (!capabilities().contains(needed)) {
            throw new DriverException.NotSupported(name(), needed);
        }
        String id = checkName("instance", instanceId);
        synchronized (lock(id)) {
            load(id);
            State state = state(id);
            if (state == null || !state.running()) {
                throw new DriverException("Instance " + id + " is not running.");
            }
            privileges.checkCrun(List.of("pause", containerId(id)));
            awaitFrozen(id);
            if (suspend) {
                try {
                    Files.createFile(dir(id).resolve("suspended"));
                } catch (IOException e) {
                    Exec.run(privileges.crun(List.of("resume", containerId(id))));
                    throw new DriverException("cannot mark the server suspended: " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Waits until crun reports the container paused. Seen once in the tests (with root disks on loop
     * devices, under load): crun pause returned and crun state still said running; the v1 freezer
     * takes a while to freeze a task in a wait it cannot be frozen in, such as disk I/O.
     */
    private void awaitFrozen(String id) throws DriverException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            State state = state(id);
            if (state == null || state.paused() || !state.running()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                Exec.run(privileges.crun(List.of("resume", containerId(id))));
                throw new DriverException("Instance " + id + " did not freeze in 10 s");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DriverException("interrupted while waiting for the container to freeze", e);
            }
        }
    }

    private void thaw(String instanceId) throws DriverException {
        String id = checkName("instance", instanceId);
        synchronized (lock(id)) {
            load(id);
            State state = state(id);
            if (state == null || !state.paused()) {
                throw new DriverException("Instance " + id + " is not paused or suspended.");
            }
            privileges.checkCrun(List.of("resume", containerId(id)));
            deleteQuietly(dir(id).resolve("suspended"));
        }
    }

    /** crun's view of the container, or null when crun does not know it. */
    private State state(String id) throws DriverException {
        Exec.Result result = Exec.run(privileges.crun(List.of("state", containerId(id))));
        if (!result.ok()) {
            if (result.output().contains("No such file or directory") || result.output().contains("does not exist")) {
                return null;
            }
            throw new DriverException("crun state failed: " + result.output());
        }
        JsonNode node = Json.parse(result.output().getBytes(StandardCharsets.UTF_8));
        String created = node.path("created").asText("");
        return new State(node.path("status").asText("unknown"), node.path("pid").asLong(0),
                created.isEmpty() ? null : Instant.parse(created));
    }

    // --- network ---

    /**
     * The network namespace of a server with ports, kept in a file of the server dir (a bind mount)
     * made before PID 1 starts, so that its interfaces are there at boot, and kept across reboots.
     * It goes with the overlay (powerOff, destroy): a stopped server holds no mount; powerOn makes
     * it again and has the ports connected again. A server without ports (and every rootless
     * one, and every one where nothing connects ports) gets a namespace from crun at each start,
     * with loopback only.
     */
    private boolean connectsPorts() {
        return plugger != null && privileges.limits();
    }

    private Path networkNamespace(String id) {
        return dir(id).resolve("netns");
    }

    /**
     * The first ethN not among the interfaces: a port attached to a running server must not take
     * the name of one still there (after a detach the others keep theirs until the next start).
     */
    static String freeDevice(Set<String> interfaces) {
        int n = 0;
        while (interfaces.contains("eth" + n)) {
            n++;
        }
        return "eth" + n;
    }

    /** The interfaces of the network namespace process pid is in, from /proc (no program to run). */
    private static Set<String> interfaces(long pid) throws DriverException {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "net/dev"))) {
            // Two header lines, then "  name: counters" per interface.
            return lines.skip(2).map(l -> l.substring(0, l.indexOf(':')).strip()).collect(Collectors.toSet());
        } catch (IOException | UncheckedIOException e) {
            throw new DriverException("cannot list the server's interfaces: " + e.getMessage(), e);
        }
    }

    /** Makes the server's network namespace unless it is there, and has each port connected to it (eth0, eth1, ...). */
    private void plugPorts(Server server) throws DriverException {
        Path netns = networkNamespace(server.instanceId());
        if (server.portIds().isEmpty() || mounted(netns)) {
            return;
        }
        try {
            Files.deleteIfExists(netns);
            Files.createFile(netns);
        } catch (IOException e) {
            throw new DriverException("cannot create the network namespace file: " + e.getMessage(), e);
        }
        Exec.check(List.of("unshare", "--net=" + netns, "true"));
        for (int i = 0; i < server.portIds().size(); i++) {
            plugger.plug(server.portIds().get(i), netns, "eth" + i);
        }
    }

    // --- overlay ---

    /** Mounts the server's overlay unless it is mounted; true when this call mounted it. */
    private boolean mount(String id) throws DriverException {
        Path dir = dir(id);
        Path rootfs = dir.resolve("rootfs");
        if (mounted(rootfs)) {
            return false;
        }
        String imageId = load(id).imageId();
        boolean layerMountedHere = mountDisk(id);
        Path layer = layer(id);
        try {
            privileges.check(List.of("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + images.root(imageId)
                    + ",upperdir=" + layer.resolve("upper") + ",workdir=" + layer.resolve("work"), rootfs.toString()));
        } catch (DriverException e) {
            if (layerMountedHere) {
                try {
                    unmountPath(layer, "root disk", true);
                } catch (DriverException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        return true;
    }

    /**
     * Unmounts the server's overlay, then its root disk (the overlay holds the disk busy), and
     * detaches a loop device still on the disk (autoclear does that at the unmount already).
     */
    private void unmount(String id, boolean evenIfBusy) throws DriverException {
        unmountPath(dir(id).resolve("rootfs"), "root", evenIfBusy);
        unmountPath(dir(id).resolve("layer"), "root disk", evenIfBusy);
        detachLoops(id);
        // Its interfaces go with it (the kernel removes both ends of each veth).
        unmountPath(networkNamespace(id), "network namespace", true);
    }

    private void unmountPath(Path target, String what, boolean evenIfBusy) throws DriverException {
        if (!mounted(target)) {
            return;
        }
        Exec.Result result = Exec.run(privileges.command(List.of("umount", target.toString())));
        if (!result.ok()) {
            if (!evenIfBusy) {
                throw new DriverException("cannot unmount the server's " + what + ": " + result.output());
            }
            // Busy (a process of the host still has a file open): detach it so the server dir can go.
            privileges.check(List.of("umount", "-l", target.toString()));
        }
    }

    // --- root disk ---

    /** Where the upper and work dirs are: the mounted root disk, or the server dir without one. */
    private Path layer(String id) {
        return Files.exists(disk(id)) ? dir(id).resolve("layer") : dir(id);
    }

    private Path disk(String id) {
        return dir(id).resolve("disk.img");
    }

    /** The root disk's size in bytes, 0 when the server has none. */
    private long diskBytes(String id) throws DriverException {
        try {
            return Files.exists(disk(id)) ? Files.size(disk(id)) : 0;
        } catch (IOException e) {
            throw new DriverException("cannot read the size of the root disk: " + e.getMessage(), e);
        }
    }

    /** Makes a sparse file of rootGb GiB with an ext4 file system in it and mounts it at layer. */
    private void createDisk(String id, int rootGb) throws DriverException {
        Path disk = disk(id);
        try {
            Files.createDirectories(dir(id).resolve("layer"));
            try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
                file.setLength((long) rootGb << 30); // sparse: no block is written
            }
        } catch (IOException e) {
            throw new DriverException("cannot create the root disk: " + e.getMessage(), e);
        }
        // A fresh sparse file reads as zeros, so inode tables and journal need no zeroing, nor discard.
        Exec.check(List.of("mkfs.ext4", "-q", "-F", "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard",
                disk.toString()));
        mountDisk(id);
    }

    /** Mounts the root disk at layer unless the server has none or it is mounted; true when this call mounted it. */
    private boolean mountDisk(String id) throws DriverException {
        Path layer = dir(id).resolve("layer");
        if (!Files.exists(disk(id)) || mounted(layer)) {
            return false;
        }
        long fileSystem = fileSystemBytes(id);
        if (fileSystem > 0 && fileSystem < diskBytes(id)) {
            growFileSystemOffline(id); // a resize while it was mounted that could not grow it online
        }
        // noinit_itable: no background zeroing of inode tables, which would fill the sparse file.
        Exec.check(List.of("mount", "-t", "ext4", "-o", "loop,noinit_itable", disk(id).toString(), layer.toString()));
        return true;
    }

    /**
     * The loop devices backed by the server's root disk (normally none once it is unmounted), from
     * sysfs, which has the backing file's full path (losetup's own list may cut it short).
     */
    private List<String> loops(String id) throws DriverException {
        String disk = disk(id).toString();
        if (!Files.exists(disk(id))) {
            return List.of();
        }
        List<String> loops = new ArrayList<>();
        try (Stream<Path> devices = Files.list(Path.of("/sys/block"))) {
            for (Path device : devices.filter(d -> d.getFileName().toString().startsWith("loop")).toList()) {
                try {
                    if (Files.readString(device.resolve("loop/backing_file")).strip().equals(disk)) {
                        loops.add("/dev/" + device.getFileName());
                    }
                } catch (IOException e) {
                    // not set up, or detached meanwhile
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new DriverException("cannot list the loop devices: " + e.getMessage(), e);
        }
        return loops;
    }

    /** Detaches loop devices left on the root disk (autoclear frees them on unmount; this is the safety net). */
    private void detachLoops(String id) throws DriverException {
        for (String loop : loops(id)) {
            Exec.run(List.of("losetup", "-d", loop)); // a busy device detaches when it is released
        }
    }

    /**
     * Grows the root disk to bytes: the file at once; the ext4 in it online when it is mounted and
     * the kernel lets resize2fs do so (it needs CAP_SYS_RESOURCE), else at its next mount.
     */
    private void growDisk(String id, long bytes) throws DriverException {
        try (RandomAccessFile file = new RandomAccessFile(disk(id).toFile(), "rw")) {
            file.setLength(bytes); // sparse: the new space takes no block
        } catch (IOException e) {
            throw new DriverException("cannot grow the root disk: " + e.getMessage(), e);
        }
        if (!mounted(dir(id).resolve("layer"))) {
            growFileSystemOffline(id);
            return;
        }
        List<String> loops = loops(id);
        if (loops.size() == 1 && Exec.run(List.of("losetup", "-c", loops.getFirst())).ok()) {
            // On failure (no CAP_SYS_RESOURCE, as on hosts that drop it) mountDisk grows it next time.
            Exec.run(List.of("resize2fs", loops.getFirst()));
        }
    }

    /** Grows the unmounted ext4 in disk.img to the file's size: e2fsck -f first, as resize2fs wants. */
    private void growFileSystemOffline(String id) throws DriverException {
        String disk = disk(id).toString();
        Exec.Result check = Exec.run(List.of("e2fsck", "-f", "-p", disk));
        if (check.exitCode() > 1) { // 1: errors corrected
            throw new DriverException("cannot grow the root disk: e2fsck found errors it did not correct: " + check.output());
        }
        Exec.check(List.of("resize2fs", disk));
    }

    /** The size of the ext4 file system in disk.img, read from its superblock; 0 when it has none. */
    private long fileSystemBytes(String id) throws DriverException {
        byte[] superblock = new byte[1024];
        try (RandomAccessFile file = new RandomAccessFile(disk(id).toFile(), "r")) {
            if (file.length() < 2048) {
                return 0;
            }
            file.seek(1024);
            file.readFully(superblock);
        } catch (IOException e) {
            throw new DriverException("cannot read the root disk's superblock: " + e.getMessage(), e);
        }
        ByteBuffer sb = ByteBuffer.wrap(superblock).order(ByteOrder.LITTLE_ENDIAN);
        if ((sb.getShort(0x38) & 0xffff) != 0xEF53) {
            return 0;
        }
        long blocks = sb.getInt(0x04) & 0xffffffffL;
        if ((sb.getInt(0x60) & 0x80) != 0) { // INCOMPAT_64BIT
            blocks |= (sb.getInt(0x150) & 0xffffffffL) << 32;
        }
        return blocks * (1024L << sb.getInt(0x18));
    }

    private boolean mounted(Path path) throws DriverException {
        String target = path.toString();
        try (Stream<String> lines = Files.lines(privileges.mountInfo())) {
            return lines.map(l -> l.split(" ")).anyMatch(f -> f.length > 4 && f[4].equals(target));
        } catch (IOException | UncheckedIOException e) {
            throw new DriverException("cannot read " + privileges.mountInfo() + ": " + e.getMessage(), e);
        }
    }

    // --- helpers ---

    private Server load(String id) throws DriverException {
        Path file = serverFile(id);
        if (!Files.isRegularFile(file)) {
            throw new DriverException("Instance " + id + " could not be found on host " + hostname + ".");
        }
        try {
            return Json.MAPPER.readValue(file.toFile(), Server.class);
        } catch (IOException e) {
            throw new DriverException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void save(Server server) throws DriverException {
        Path file = serverFile(server.instanceId());
        Path temp = file.resolveSibling("server.json.tmp");
        try {
            Files.write(temp, Json.bytes(server));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new DriverException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private void removeCgroups(String id) {
        if (!privileges.limits()) {
            return;
        }
        Path relative = Path.of(options.cgroupParent(), containerId(id));
        List<Path> hierarchies = new ArrayList<>(List.of(CGROUP_ROOT)); // cgroup v2 has one
        try (Stream<Path> dirs = Files.list(CGROUP_ROOT)) {
            dirs.forEach(hierarchies::add); // cgroup v1 one per controller
        } catch (IOException e) {
            return;
        }
        for (Path hierarchy : hierarchies) {
            deleteQuietly(hierarchy.resolve(relative)); // rmdir; it fails while tasks are in it
        }
    }

    private Optional<String> cgroupValue(String controller, String cgroup, String file) {
        try {
            return Optional.of(Files.readString(CGROUP_ROOT.resolve(controller).resolve(cgroup).resolve(file)).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private int crunVersion() {
        if (crunVersion == null) {
            int version = 0;
            try {
                // "crun version 1.8.1" -> 1008001, as Nova encodes hypervisor versions
                String first = Exec.check(List.of("crun", "--version")).lines().findFirst().orElse("");
                String[] parts = first.replaceAll("[^0-9.]", "").split("\\.");
                for (int i = 0; i < 3; i++) {
                    version = version * 1000 + (i < parts.length && !parts[i].isEmpty() ? Integer.parseInt(parts[i]) : 0);
                }
            } catch (DriverException | RuntimeException e) {
                version = 0;
            }
            crunVersion = version;
        }
        return crunVersion;
    }

    /** True while the process exists and is not a zombie. */
    private static boolean alive(long pid) {
        if (pid <= 0) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean waitForExit(long pid, Duration timeout) throws DriverException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (alive(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DriverException("interrupted while waiting for the container to stop", e);
            }
        }
        return true;
    }

    private static String consoleSince(Path console, long offset) {
        try (RandomAccessFile file = new RandomAccessFile(console.toFile(), "r")) {
            long from = Math.max(offset, file.length() - 4096);
            byte[] bytes = new byte[(int) Math.max(0, file.length() - from)];
            file.seek(from);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(cannot read the console: " + e.getMessage() + ")";
        }
    }

    static String readQuietly(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "(no message)";
        }
    }

    static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // best effort: callers check what must be gone
        }
    }

    /** Deletes a directory tree without following symbolic links, and never across a mount. */
    static void deleteTree(Path dir) throws DriverException {
        try {
            Object device = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path path, BasicFileAttributes attributes) throws IOException {
                    if (!device.equals(Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                        throw new IOException(path + " is a mount point");
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path path, BasicFileAttributes attributes) throws IOException {
                    Files.delete(path);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path path, IOException failure) throws IOException {
                    if (failure != null) {
                        throw failure;
                    }
                    Files.delete(path);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new DriverException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    private Path dir(String id) {
        return stateDir.resolve("servers").resolve(id);
    }

    private Path serverFile(String id) {
        return dir(id).resolve("server.json");
    }

    private static String containerId(String id) {
        return "nubes-" + id;
    }

    private static String checkName(String what, String value) throws DriverException {
        if (value == null || !SAFE_NAME.matcher(value).matches()) {
            throw new DriverException("Invalid " + what + " id for the container driver: " + value);
        }
        return value;
    }
}
