package org.nubes.objectstore.replication;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Stream;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.ring.Device;
import org.nubes.objectstore.ring.Ring;

/**
 * Removes the temporary files of writes that never finished (a client that went away, a process
 * killed mid-upload) from {@code <device>/tmp}. They are never visible as objects; this only gives
 * their space back.
 */
public final class TempFiles {
    private final Ring ring;

    public TempFiles(Ring ring) {
        this.ring = ring;
    }

    /** Removes the temporary files last modified before the instant; how many. */
    public int removeOlderThan(Instant cutoff) {
        int removed = 0;
        for (Device device : new LinkedHashSet<>(ring.devices())) {
            List<Path> files;
            try (Stream<Path> list = Files.list(Replicas.tmpDir(device))) {
                files = list.toList();
            } catch (NoSuchFileException | NotDirectoryException e) {
                continue;
            } catch (IOException | RuntimeException e) {
                continue;  // an unreadable device: the next pass
            }
            for (Path file : files) {
                try {
                    if (Files.isRegularFile(file) && Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)
                            && Files.deleteIfExists(file)) {
                        removed++;
                    }
                } catch (IOException e) {
                    // gone meanwhile, or not ours to remove: the next pass
                }
            }
        }
        return removed;
    }
}
