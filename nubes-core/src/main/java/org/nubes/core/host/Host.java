package org.nubes.core.host;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** What the drivers ask of the machine they run on before they use it. */
public final class Host {
    /** The Debian packages of the programs people may not know where to find. */
    private static final Map<String, String> PACKAGES = Map.of("crun", "crun", "ip", "iproute2", "nft", "nftables",
            "nsenter", "util-linux", "unshare", "util-linux", "setsid", "util-linux", "mkfs.ext4", "e2fsprogs",
            "e2fsck", "e2fsprogs", "resize2fs", "e2fsprogs", "busybox", "busybox");

    private Host() {}

    /** Whether this process runs as root (uid 0). */
    public static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                    .map(l -> l.split("\\s+")[1]).findFirst().orElse("?").equals("0");
        } catch (IOException e) {
            return false; // no /proc: not Linux
        }
    }

    /**
     * Why programs are missing: "<the first one not on PATH> is not installed", with the package
     * to install where it is not the program's name; empty when all of them are there.
     */
    public static Optional<String> missing(String... programs) {
        for (String program : programs) {
            if (onPath(program).isEmpty()) {
                String hint = PACKAGES.containsKey(program) ? " (apt-get install " + PACKAGES.get(program) + ")" : "";
                return Optional.of(program + " is not installed" + hint);
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
