package org.nubes.objectstore.service;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nubes.objectstore.disk.ObjectMeta;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.store.ContainerRow;
import org.nubes.objectstore.store.ListingQuery;
import org.nubes.objectstore.store.ListingStore;
import org.nubes.objectstore.store.ObjectRow;

/**
 * Swift's legacy object versioning (the versioned_writes middleware). A container names another
 * container of the same account with X-Versions-Location ("stack" mode: a DELETE brings the
 * latest previous version back) or X-History-Location ("history" mode: a DELETE archives the
 * current version and leaves a delete marker). Before an overwrite, the current version is copied
 * to {@code <name length as 3 hex digits><name>/<its timestamp>} in that container.
 */
public final class Versions {
    public static final String VERSIONS_LOCATION = "X-Versions-Location";
    public static final String HISTORY_LOCATION = "X-History-Location";
    /** The content type of a history-mode delete marker. */
    public static final String DELETE_MARKER = "application/x-deleted;swift_versions_deleted=1";

    private final Objects objects;
    private final ListingStore listings;

    public Versions(Objects objects, ListingStore listings) {
        this.objects = objects;
        this.listings = listings;
    }

    /** The mode and versions container of a container, or empty when it keeps no versions. */
    public record Location(boolean history, String container) {}

    public static Optional<Location> of(ContainerRow container) {
        Map<String, String> metadata = container.metadata();
        if (metadata.get(VERSIONS_LOCATION) != null) {
            return Optional.of(new Location(false, metadata.get(VERSIONS_LOCATION)));
        }
        if (metadata.get(HISTORY_LOCATION) != null) {
            return Optional.of(new Location(true, metadata.get(HISTORY_LOCATION)));
        }
        return Optional.empty();
    }

    /** The prefix of an object's versions: its name's UTF-8 length in three hex digits, the name, a slash. */
    public static String prefix(String name) {
        return "%03x".formatted(name.getBytes(StandardCharsets.UTF_8).length) + name + "/";
    }

    /** Before an overwrite: the current version, if any, copied into the versions container. */
    public void archive(String account, String name, String container, Location location) throws IOException {
        if (listings.container(account, location.container()).isEmpty()) {
            return;
        }
        Optional<Replicas.Opened> current = objects.open(account, container, name);
        if (current.isEmpty()) {
            return;
        }
        try (Replicas.Opened opened = current.get()) {
            ObjectMeta meta = opened.meta();
            try (InputStream in = opened.stream(0, meta.contentLength())) {
                objects.put(account, location.container(), prefix(name) + meta.timestamp(), in,
                        new Objects.PutRequest(meta.contentType(), null, meta.metadata()));
            }
        }
    }

    /**
     * A DELETE in a versioned container. Stack mode: the latest archived version (if any) becomes
     * the object again and leaves the archive; else a plain delete. History mode: the current
     * version is archived, a delete marker added, and the object deleted. 404 when there was
     * nothing to delete or restore.
     */
    public void delete(String account, String container, String name, Location location) throws IOException {
        boolean versionsExist = listings.container(account, location.container()).isPresent();
        if (location.history()) {
            boolean present = objects.head(account, container, name).isPresent();
            if (versionsExist && present) {
                archive(account, name, container, location);
                objects.put(account, location.container(), prefix(name) + org.nubes.objectstore.disk.Timestamp.now(),
                        new ByteArrayInputStream(new byte[0]), new Objects.PutRequest(DELETE_MARKER, null, Map.of()));
            }
            objects.delete(account, container, name);
            return;
        }
        if (versionsExist) {
            List<ObjectRow> latest = listings.objects(account, location.container(), new ListingQuery(prefix(name), null, null, 10, true));
            for (ObjectRow row : latest) {
                Optional<Replicas.Opened> version = objects.open(account, location.container(), row.name());
                if (version.isEmpty()) {
                    continue;
                }
                try (Replicas.Opened opened = version.get()) {
                    ObjectMeta meta = opened.meta();
                    try (InputStream in = opened.stream(0, meta.contentLength())) {
                        objects.put(account, container, name, in, new Objects.PutRequest(meta.contentType(), null, meta.metadata()));
                    }
                }
                objects.delete(account, location.container(), row.name());
                return;
            }
        }
        objects.delete(account, container, name);
    }
}
