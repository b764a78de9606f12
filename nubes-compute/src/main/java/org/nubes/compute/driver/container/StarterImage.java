package org.nubes.compute.driver.container;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nubes.compute.driver.DriverException;
import org.nubes.core.host.Host;

/**
 * A small root file system to boot with the container driver, made from the host's statically
 * linked busybox (Debian package busybox-static): /bin/busybox, a symbolic link per applet
 * ({@code busybox --list-full}), passwd and group with root, and busybox init with an inittab
 * whose rcS mounts what the runtime did not, takes the hostname from the config drive, prints
 * {@value #BOOT_LINE} and the hostname to the console, and runs the user data from
 * /mnt/config/openstack/latest/user_data when it starts with "#!" (its output goes to the console).
 * Then init keeps running and reaps orphans. Nubes uploads it as the public image {@value #NAME}.
 */
public final class StarterImage {
    public static final String NAME = "busybox";
    /** The Glance properties to upload it with. */
    public static final Map<String, String> PROPERTIES = Map.of("container_format", "docker", "disk_format", "raw",
            "os_type", "linux", "os_distro", "busybox");
    /** What rcS prints first, followed by the hostname. */
    public static final String BOOT_LINE = "nubes-starter: booted";

    private static final Path BUSYBOX = Path.of("/bin/busybox");

    private static final String INITTAB = """
            ::sysinit:/etc/init.d/rcS
            ::ctrlaltdel:/sbin/reboot
            ::shutdown:/bin/echo nubes-starter: shutting down
            """;

    private static final String RCS = """
            #!/bin/sh
            # Mount what the container runtime has not (a VM's initramfs would need all three).
            grep -qs " /proc " /proc/mounts || mount -t proc proc /proc 2>/dev/null
            grep -qs " /sys " /proc/mounts || mount -t sysfs sysfs /sys 2>/dev/null
            grep -qs " /tmp " /proc/mounts || mount -t tmpfs -o mode=1777 tmpfs /tmp 2>/dev/null
            CONFIG=/mnt/config/openstack/latest
            name=$(sed -n 's/.*"hostname": *"\\([^"]*\\)".*/\\1/p' $CONFIG/meta_data.json 2>/dev/null)
            if [ -n "$name" ] && [ "$(hostname)" != "$name" ]; then hostname "$name" 2>/dev/null; fi
            hostname > /etc/hostname 2>/dev/null
            echo "%s $(hostname)"
            if [ -f $CONFIG/user_data ] && [ "$(head -c 2 $CONFIG/user_data)" = '#!' ]; then
                # The config drive is mounted noexec: run a copy. In the background, so init goes on.
                cp $CONFIG/user_data /tmp/user_data && chmod 700 /tmp/user_data
                (/tmp/user_data 2>&1; echo "nubes-starter: user data exited with $?") &
            fi
            """.formatted(BOOT_LINE);

    private StarterImage() {}

    /** Why the image cannot be built here, or empty when it can. */
    public static Optional<String> unavailableReason() {
        if (!Files.isExecutable(BUSYBOX)) {
            return Optional.of("no /bin/busybox (apt-get install busybox-static)");
        }
        try {
            if (dynamic(BUSYBOX)) {
                return Optional.of("/bin/busybox is linked dynamically (apt-get install busybox-static)");
            }
        } catch (IOException e) {
            return Optional.of("cannot read /bin/busybox: " + e.getMessage());
        }
        return Host.missing("tar");
    }

    /** Builds the image as a tar at target (replacing it) and returns target. */
    public static Path build(Path target) throws IOException {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent()) {
            throw new IOException("cannot build the starter image: " + reason.get());
        }
        Path root = Files.createTempDirectory(target.toAbsolutePath().getParent(), ".starter-");
        try {
            for (String dir : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc/init.d", "proc", "sys", "dev",
                    "run", "var/log", "home", "mnt/config")) {
                Files.createDirectories(root.resolve(dir));
            }
            Files.createDirectories(root.resolve("tmp"));
            Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.createDirectories(root.resolve("root"));
            Files.setPosixFilePermissions(root.resolve("root"), PosixFilePermissions.fromString("rwx------"));
            Files.copy(BUSYBOX, root.resolve("bin/busybox"));
            for (String applet : Exec.check(List.of(BUSYBOX.toString(), "--list-full")).lines().toList()) {
                Path link = root.resolve(applet.strip());
                if (!applet.isBlank() && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(link.getParent());
                    Files.createSymbolicLink(link, Path.of("/bin/busybox"));
                }
            }
            Files.writeString(root.resolve("etc/inittab"), INITTAB);
            Files.writeString(root.resolve("etc/init.d/rcS"), RCS);
            Files.setPosixFilePermissions(root.resolve("etc/init.d/rcS"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
            Files.writeString(root.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
            Files.writeString(root.resolve("etc/shadow"), "root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n");
            Files.setPosixFilePermissions(root.resolve("etc/shadow"), PosixFilePermissions.fromString("rw-------"));
            Files.writeString(root.resolve("etc/hosts"), "127.0.0.1 localhost\n::1 localhost\n");
            Exec.check(List.of("tar", "-C", root.toString(), "-c", "-f", target.toAbsolutePath().toString(),
                    "--numeric-owner", "--owner=0", "--group=0", "--sort=name", "."));
            return target;
        } catch (DriverException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            try (var paths = Files.walk(root)) { // walk does not follow the applet links
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** True when the ELF file has a PT_INTERP program header: it needs a dynamic loader. */
    private static boolean dynamic(Path elf) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(elf.toFile(), "r")) {
            byte[] header = new byte[64];
            file.readFully(header);
            ByteBuffer buffer = ByteBuffer.wrap(header).order(header[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            if (header[0] != 0x7f || header[1] != 'E' || header[4] != 2) {
                return true; // not a 64-bit ELF: not the busybox-static we know
            }
            long programHeaders = buffer.getLong(0x20);
            int entrySize = Short.toUnsignedInt(buffer.getShort(0x36));
            int count = Short.toUnsignedInt(buffer.getShort(0x38));
            byte[] type = new byte[4];
            for (int i = 0; i < count; i++) {
                file.seek(programHeaders + (long) i * entrySize);
                file.readFully(type);
                if (ByteBuffer.wrap(type).order(buffer.order()).getInt() == 3) {
                    return true;
                }
            }
            return false;
        }
    }
}
