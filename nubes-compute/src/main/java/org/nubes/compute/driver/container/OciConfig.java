package org.nubes.compute.driver.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.nubes.compute.driver.VirtDriver.Limits;
import org.nubes.core.json.Json;

/**
 * The OCI runtime config (config.json) of a server, in the shape {@code crun spec} prints, changed
 * where a server differs from an application container:
 * <ul>
 * <li>PID 1 is the image's init, without a terminal: its stdout and stderr are crun's, which the
 * driver points at console.log.
 * <li>Capabilities are Docker's default set plus CAP_SYS_BOOT, so that the guest's own
 * poweroff/reboot (and busybox init's reaction to SIGTERM) end the container at once: in a PID
 * namespace of its own, reboot(2) only kills that namespace's init. kexec_load is refused by
 * seccomp because CAP_SYS_BOOT would allow it. No CAP_SYS_ADMIN, no user namespace: root inside is
 * root on the host with these capabilities only.
 * <li>noNewPrivileges is off so that su and sudo work in the guest as on a VM.
 * <li>The flavor becomes cgroup limits: memory, CPU quota of vcpus periods, CPU shares, a pids
 * limit.
 * <li>The config drive is bind-mounted read-only at /mnt/config.
 * </ul>
 */
final class OciConfig {
    static final long CPU_PERIOD_US = 100_000;

    private static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
            "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", "CAP_SYS_BOOT");

    private OciConfig() {}

    /** The cgroup a server runs in and its limits. */
    record Cgroup(String path, Limits limits, int pidsLimit) {}

    /**
     * The config; without a cgroup (rootless: see {@link Privileges}) the server runs unlimited;
     * without a network namespace given, crun makes one at each start.
     */
    static byte[] render(String hostname, List<String> init, Cgroup cgroup, Path configDrive, Path networkNamespace) {
        ObjectNode config = Json.object().put("ociVersion", "1.0.0");

        ObjectNode process = config.putObject("process").put("terminal", false).put("cwd", "/")
                .put("noNewPrivileges", false);
        process.putObject("user").put("uid", 0).put("gid", 0);
        strings(process.putArray("args"), init);
        strings(process.putArray("env"), List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME=/root", "TERM=linux", "container=nubes"));
        ObjectNode capabilities = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            strings(capabilities.putArray(set), CAPABILITIES);
        }
        // No rlimits: the server inherits the host's (crun fails to raise them beyond crun's own).

        config.putObject("root").put("path", "rootfs").put("readonly", false);
        config.put("hostname", hostname);

        ArrayNode mounts = config.putArray("mounts");
        mount(mounts, "/proc", "proc", "proc");
        mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        if (cgroup != null) {
            mount(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
        } else { // group tty (5) does not exist in a user namespace that maps one user
            mount(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620");
        }
        mount(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
        if (cgroup != null) {
            mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro");
        }
        mount(mounts, ConfigDrive.MOUNT_POINT, "bind", configDrive.toAbsolutePath().toString(),
                "rbind", "ro", "nosuid", "nodev", "noexec");

        ObjectNode linux = config.putObject("linux");
        if (cgroup != null) {
            linux.put("cgroupsPath", cgroup.path());
            ObjectNode resources = linux.putObject("resources");
            resources.putArray("devices").addObject().put("allow", false).put("access", "rwm");
            resources(resources, cgroup.limits(), cgroup.pidsLimit());
        }
        for (String namespace : List.of("pid", "network", "ipc", "uts", "mount")) {
            ObjectNode entry = linux.withArray("namespaces").addObject().put("type", namespace);
            if (namespace.equals("network") && networkNamespace != null) {
                entry.put("path", networkNamespace.toString()); // the server's own, made at spawn (see ContainerDriver)
            }
        }
        strings(linux.putArray("maskedPaths"), List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                "/proc/scsi"));
        strings(linux.putArray("readonlyPaths"), List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                "/proc/sysrq-trigger"));
        ObjectNode seccomp = linux.putObject("seccomp").put("defaultAction", "SCMP_ACT_ALLOW");
        strings(seccomp.putArray("architectures"), List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"));
        ObjectNode denied = seccomp.putArray("syscalls").addObject().put("action", "SCMP_ACT_ERRNO").put("errnoRet", 1);
        strings(denied.putArray("names"), List.of("kexec_load", "kexec_file_load"));
        return Json.bytes(config);
    }

    /** The cgroup limits of a flavor, as config.json's linux.resources holds them. */
    static void resources(ObjectNode resources, Limits limits, int pidsLimit) {
        resources.putObject("memory").put("limit", memoryBytes(limits));
        resources.putObject("cpu").put("quota", cpuQuota(limits)).put("period", CPU_PERIOD_US)
                .put("shares", 1024L * Math.max(1, limits.vcpus()));
        resources.putObject("pids").put("limit", pidsLimit);
    }

    static long memoryBytes(Limits limits) {
        return limits.memoryMb() * 1024L * 1024L;
    }

    static long cpuQuota(Limits limits) {
        return Math.max(1, limits.vcpus()) * CPU_PERIOD_US;
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
        ObjectNode mount = mounts.addObject().put("destination", destination).put("type", type).put("source", source);
        if (options.length > 0) {
            strings(mount.putArray("options"), List.of(options));
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
