package org.nubes.compute.driver.container;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.nubes.compute.driver.DriverException;
import org.nubes.core.host.Host;

/**
 * How the container driver does what needs privileges (mounts, crun): as root on the host, or,
 * when Nubes runs as an ordinary user, as root of a user namespace of its own.
 *
 * <h2>Rootless</h2>
 * A holder process ({@code sleep infinity} under {@code unshare -U -r -m}, in a session of its own so
 * that it outlives Nubes) keeps a user namespace, in which the Nubes user is root and nobody else
 * exists, and a mount namespace owned by it. The driver runs mount, umount, crun and rm in there
 * with {@code nsenter --preserve-credentials}; the overlays live in that mount namespace, which is
 * why a restarted Nubes finds the holder again through {@code sandbox.pid} in the state dir and
 * adopts it with the servers in it. Where it is gone (the host rebooted) a new one is started.
 * <p>What a user namespace cannot do, rootless servers go without: cgroup limits (cgroup v1 cannot
 * be delegated to an unprivileged user, and crun runs with {@code --cgroup-manager=disabled}), so
 * memory, CPU and pids are not limited; pause and suspend (the freezer is a cgroup); the root disk
 * size (a loop mount needs real root). Every file of a server is owned by the Nubes user, who is
 * uid 0 inside; image files of other owners become root's, and device nodes of an image are left
 * out (the container's /dev is a tmpfs of its own anyway).
 */
sealed interface Privileges permits Privileges.Root, Privileges.Rootless {

    /** The command as it runs with the privileges of this mode. */
    List<String> command(List<String> command);

    /** A crun command: its global options, then the subcommand and its arguments. */
    List<String> crun(List<String> subcommand);

    /** Where the driver's mounts are listed. */
    Path mountInfo();

    /** Whether cgroup limits, the freezer and root disks (loop mounts) are available. */
    boolean limits();

    /** Deletes a directory tree of the driver, never across a mount. */
    void deleteTree(Path dir) throws DriverException;

    /** Runs the command with these privileges and fails with its output, naming the command, not what wraps it. */
    default String check(List<String> command) throws DriverException {
        return Exec.check(Exec.name(command), command(command));
    }

    /** Runs the crun subcommand and fails with its output, naming it "crun subcommand". */
    default String checkCrun(List<String> subcommand) throws DriverException {
        return Exec.check(Exec.name(concat(List.of("crun"), subcommand)), crun(subcommand));
    }

    /** Root on the host: commands run as they are. */
    record Root() implements Privileges {
        @Override
        public List<String> command(List<String> command) {
            return command;
        }

        @Override
        public List<String> crun(List<String> subcommand) {
            return concat(List.of("crun"), subcommand);
        }

        @Override
        public Path mountInfo() {
            return Path.of("/proc/self/mountinfo");
        }

        @Override
        public boolean limits() {
            return true;
        }

        @Override
        public void deleteTree(Path dir) throws DriverException {
            ContainerDriver.deleteTree(dir);
        }
    }

    /** Root of the user namespace the holder process {@code holderPid} keeps. */
    record Rootless(long holderPid, Path crunRoot) implements Privileges {
        @Override
        public List<String> command(List<String> command) {
            return concat(List.of("nsenter", "-t", Long.toString(holderPid), "-U", "-m", "--preserve-credentials"), command);
        }

        @Override
        public List<String> crun(List<String> subcommand) {
            return command(concat(List.of("crun", "--root", crunRoot.toString(), "--cgroup-manager=disabled"), subcommand));
        }

        @Override
        public Path mountInfo() {
            return Path.of("/proc", Long.toString(holderPid), "mountinfo");
        }

        @Override
        public boolean limits() {
            return false;
        }

        @Override
        public void deleteTree(Path dir) throws DriverException {
            // rm as root of the namespace: overlay work dirs and images have directories the owner cannot write.
            check(List.of("rm", "-rf", "--one-file-system", dir.toString()));
        }

        /**
         * The holder process of the state dir: the one a previous start left (its pid in
         * sandbox.pid, still a holder of another user namespace), else a new one.
         */
        static Rootless adoptOrStart(Path stateDir) throws DriverException {
            Path pidFile = stateDir.resolve("sandbox.pid");
            Path crunRoot = stateDir.resolve("crun");
            try {
                Files.createDirectories(crunRoot);
                if (Files.exists(pidFile)) {
                    long pid = Long.parseLong(Files.readString(pidFile).strip());
                    if (isHolder(pid)) {
                        return new Rootless(pid, crunRoot);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // no usable holder recorded: start one
            }
            List<String> command = List.of("setsid", "unshare", "-U", "-r", "-m", "--propagation", "private",
                    "sleep", "infinity");
            Process holder = Exec.start(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))), command);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!isHolder(holder.pid())) {
                if (!holder.isAlive() || System.nanoTime() > deadline) {
                    holder.destroyForcibly();
                    throw new DriverException("cannot start the user namespace for rootless containers (unshare -U -r -m)");
                }
                Thread.onSpinWait();
            }
            Rootless rootless = new Rootless(holder.pid(), crunRoot);
            try {
                Files.writeString(pidFile, Long.toString(holder.pid()));
            } catch (IOException e) {
                holder.destroyForcibly();
                throw new DriverException("cannot write " + pidFile + ": " + e.getMessage(), e);
            }
            // crun refuses hybrid cgroups (see HOST-NOTES); in here a tmpfs hides the cgroup2 mount.
            if (cgroup2Below(rootless.mountInfo())) {
                rootless.check(List.of("mount", "-t", "tmpfs", "-o", "size=4k", "hybrid-hidden",
                        "/sys/fs/cgroup/unified"));
            }
            return rootless;
        }

        /** True when pid is {@code sleep infinity} in a user namespace other than ours. */
        private static boolean isHolder(long pid) {
            try {
                Path proc = Path.of("/proc", Long.toString(pid));
                String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                return cmdline.equals("sleep\0infinity\0")
                        && !Files.readSymbolicLink(proc.resolve("ns/user")).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")));
            } catch (IOException e) {
                return false;
            }
        }

        private static boolean cgroup2Below(Path mountInfo) throws DriverException {
            try {
                return Files.readAllLines(mountInfo).stream().map(l -> l.split(" "))
                        .anyMatch(f -> f.length > 4 && f[4].equals("/sys/fs/cgroup/unified") && String.join(" ", f).contains(" - cgroup2 "));
            } catch (IOException e) {
                throw new DriverException("cannot read " + mountInfo + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Why rootless containers cannot run here, or empty: it takes user namespaces an ordinary user
     * may create, and overlayfs mounts inside them (Linux 5.11 and later).
     */
    static Optional<String> rootlessUnavailableReason() {
        Optional<String> missing = Host.missing("crun", "unshare", "nsenter", "setsid", "tar", "mount", "sh", "rm");
        if (missing.isPresent()) {
            return missing;
        }
        Path probe = null;
        try {
            probe = Files.createTempDirectory("nubes-rootless-probe");
            for (String dir : List.of("lower", "upper", "work", "merged")) {
                Files.createDirectories(probe.resolve(dir));
            }
            String options = "lowerdir=" + probe.resolve("lower") + ",upperdir=" + probe.resolve("upper") + ",workdir="
                    + probe.resolve("work");
            Exec.Result result = Exec.run(List.of("unshare", "-U", "-r", "-m", "mount", "-t", "overlay", "overlay", "-o",
                    options, probe.resolve("merged").toString()));
            if (!result.ok()) {
                return Optional.of("it runs as an ordinary user, and rootless containers need user namespaces with "
                        + "overlay mounts, which this host refuses (" + result.output() + ")");
            }
            return Optional.empty();
        } catch (IOException | DriverException e) {
            return Optional.of("cannot check for user namespaces: " + e.getMessage());
        } finally {
            if (probe != null) {
                // rm -rf: the overlay's work dir is not writable by its owner outside the namespace
                try {
                    Exec.run(List.of("unshare", "-U", "-r", "rm", "-rf", probe.toString()));
                } catch (DriverException e) {
                    // a temp dir left behind is harmless
                }
            }
        }
    }

    static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
