package org.nubes.compute.driver.container;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.nubes.compute.driver.DriverException;
import org.nubes.compute.driver.VirtDriver.Guest;
import org.nubes.core.json.Json;

/**
 * The unpacked images under {@code <stateDir>/images}: one read-only root per image, shared by all
 * servers of that image as their overlay's lower layer. See {@link ContainerDriver} for the formats.
 */
final class Images {
    private final Path dir;
    private final Privileges privileges;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    Images(Path dir, Privileges privileges) {
        this.dir = dir;
        this.privileges = privileges;
    }

    /** Where the image's root is once unpacked. */
    Path root(String imageId) {
        return dir.resolve(imageId).resolve("rootfs");
    }

    /** The image's unpacked root, unpacking it on first use. */
    Path unpacked(String imageId, Guest guest) throws DriverException {
        Map<String, String> properties = guest.imageProperties() == null ? Map.of() : guest.imageProperties();
        String containerFormat = properties.getOrDefault("container_format", "bare");
        String diskFormat = properties.getOrDefault("disk_format", "raw");
        if (!(containerFormat.equals("docker") || containerFormat.equals("bare") && diskFormat.equals("raw"))) {
            throw new DriverException("Image " + imageId + " (container_format " + containerFormat + ", disk_format "
                    + diskFormat + ") cannot run in a container: the container driver needs a tar of a root "
                    + "file system with container_format docker, or bare with disk_format raw.");
        }
        Path root = root(imageId);
        synchronized (locks.computeIfAbsent(imageId, k -> new Object())) {
            if (Files.isDirectory(root)) {
                return root;
            }
            Path temp = dir.resolve(".unpack-" + imageId + "-" + UUID.randomUUID());
            Path errors = dir.resolve(temp.getFileName() + ".err");
            try {
                Files.createDirectories(temp.resolve("rootfs"));
                unpack(guest, temp.resolve("rootfs"), errors);
                try {
                    Files.move(temp, root.getParent(), StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    if (!Files.isDirectory(root)) {
                        throw e;
                    } // else another process unpacked the same image first: use theirs
                }
                return root;
            } catch (IOException e) {
                throw new DriverException("cannot unpack image " + imageId + ": " + e.getMessage(), e);
            } finally {
                ContainerDriver.deleteQuietly(errors);
                if (Files.exists(temp)) {
                    privileges.deleteTree(temp);
                }
            }
        }
    }

    private void unpack(Guest guest, Path target, Path errors) throws IOException, DriverException {
        // Rootless: the Nubes user owns every file (root inside) and cannot make device nodes.
        List<String> command = privileges instanceof Privileges.Root
                ? List.of("tar", "-x", "-f", "-", "-C", target.toString(), "--numeric-owner", "--same-owner",
                        "--preserve-permissions", "--xattrs", "--xattrs-include=*")
                : List.of("tar", "-x", "-f", "-", "-C", target.toString(), "--no-same-owner", "--preserve-permissions",
                        "--anchored", "--exclude=./dev/*", "--exclude=dev/*");
        try (InputStream raw = new BufferedInputStream(guest.imageData().get(), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream data = new BufferedInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16);
            data.mark(512);
            byte[] header = data.readNBytes(512);
            data.reset();
            if (header.length < 512 || !new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
                throw new DriverException("Image " + guest.imageId() + " is not a tar of a root file system"
                        + " (plain or gzip): the container driver cannot run it.");
            }
            Process tar = Exec.start(new ProcessBuilder(command).redirectError(errors.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD), command);
            String copyFailure = "";
            try (OutputStream in = tar.getOutputStream()) {
                data.transferTo(in);
            } catch (IOException e) {
                // the download failed, or tar stopped reading (then its own message says why)
                tar.destroyForcibly();
                copyFailure = e.getMessage() + " ";
            }
            if (!tar.waitFor(10, TimeUnit.MINUTES) || tar.exitValue() != 0) {
                tar.destroyForcibly();
                throw new DriverException("Unpacking image " + guest.imageId() + " failed: " + copyFailure
                        + ContainerDriver.readQuietly(errors));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DriverException("interrupted while unpacking image " + guest.imageId(), e);
        }
    }

    /** PID 1's command: the image property nubes_init, else /sbin/init, which the image must have. */
    static List<String> init(Map<String, String> properties, Path root) throws DriverException {
        String property = properties == null ? null : properties.get("nubes_init");
        List<String> init;
        if (property == null || property.isBlank()) {
            init = List.of("/sbin/init");
        } else if (property.strip().startsWith("[")) {
            try {
                init = List.of(Json.MAPPER.readValue(property, String[].class));
            } catch (IOException e) {
                throw new DriverException("The image property nubes_init is not a JSON array of strings: " + property, e);
            }
        } else {
            init = List.of(property.strip().split("\\s+"));
        }
        if (init.isEmpty() || init.getFirst().isEmpty()) {
            throw new DriverException("The image property nubes_init is empty.");
        }
        if (init.getFirst().startsWith("/")
                && !Files.exists(root.resolve(init.getFirst().substring(1)), LinkOption.NOFOLLOW_LINKS)) {
            throw new DriverException("The image has no " + init.getFirst() + " to run as its init; set the image "
                    + "property nubes_init to the command to start instead.");
        }
        return init;
    }
}
