package org.nubes.objectstore.service;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import org.nubes.objectstore.disk.ObjectMeta;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.disk.Timestamp;
import org.nubes.objectstore.ring.Ring;
import org.nubes.objectstore.store.ListingStore;
import org.nubes.objectstore.store.ObjectRow;

/**
 * Object writes and reads: the data on the ring's devices (a quorum of replicas), then the listing
 * row in the database within the same request, so listings and counts follow the objects.
 */
public final class Objects {
    private static final int BUFFER = 64 * 1024;

    private final Replicas replicas;
    private final ListingStore listings;
    private final long maxFileSize;

    public Objects(Replicas replicas, ListingStore listings, long maxFileSize) {
        this.replicas = replicas;
        this.listings = listings;
        this.maxFileSize = maxFileSize;
    }

    /** What a PUT asks for besides the data. */
    public record PutRequest(String contentType, String expectedEtag, Map<String, String> metadata) {}

    /**
     * Streams the body to the replicas and commits them. 413 past the size limit, 422 when the
     * client's ETag does not match, 503 without a quorum; nothing becomes visible in those cases.
     */
    public ObjectMeta put(String account, String container, String name, InputStream body, PutRequest request) throws IOException {
        return put(account, container, name, body, request, Long.MAX_VALUE);
    }

    /**
     * {@link #put(String, String, String, InputStream, PutRequest)} that also stops at quotaLeft
     * bytes with 413 and Swift's container_quotas body ("Upload exceeds quota.").
     */
    public ObjectMeta put(String account, String container, String name, InputStream body, PutRequest request, long quotaLeft)
            throws IOException {
        Ring.Location location = replicas.ring().locate(account, container, name);
        try (Replicas.Upload upload = replicas.upload(location)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = read(body, buffer)) > 0) {
                if (upload.size() + n > maxFileSize) {
                    throw SwiftError.of(413);
                }
                if (upload.size() + n > quotaLeft) {
                    throw SwiftError.text(413, "Upload exceeds quota.");
                }
                upload.write(buffer, 0, n);
            }
            String etag = upload.etag();
            if (request.expectedEtag() != null && !request.expectedEtag().isBlank()
                    && !unquote(request.expectedEtag()).equalsIgnoreCase(etag)) {
                throw SwiftError.of(422);
            }
            ObjectMeta meta = new ObjectMeta(Timestamp.now().toString(), upload.size(), etag, request.contentType(), request.metadata());
            if (upload.commit(meta) < replicas.ring().quorum()) {
                throw SwiftError.of(503);
            }
            if (!listings.putObject(account, container, listingRow(name, meta))) {
                throw SwiftError.of(404);  // the container went away while the data was written
            }
            return meta;
        }
    }

    /** The object's metadata; empty when it does not exist (deleted, or expired). */
    public Optional<ObjectMeta> head(String account, String container, String name) {
        return current(replicas.ring().locate(account, container, name));
    }

    /** The object opened for reading from a healthy replica (empty when expired); the caller closes it. */
    public Optional<Replicas.Opened> open(String account, String container, String name) {
        Optional<Replicas.Opened> opened = replicas.open(replicas.ring().locate(account, container, name));
        if (opened.isPresent() && opened.get().meta().expired(now())) {
            try {
                opened.get().close();
            } catch (IOException e) {
                // only read from; nothing is lost
            }
            return Optional.empty();
        }
        return opened;
    }

    /**
     * Sets the content type and X-Object-Meta-* (replacing all of them, as Swift's POST does), and
     * the expiry time (a POST without one removes it, as in Swift), on the object whose metadata
     * current is, as {@link #head} read it.
     */
    public ObjectMeta post(String account, String container, String name, ObjectMeta current, String contentType,
            Map<String, String> metadata) {
        Ring.Location location = replicas.ring().locate(account, container, name);
        String type = contentType == null ? current.contentType() : contentType;
        if (replicas.post(location, Timestamp.now(), type, metadata) < replicas.ring().quorum()) {
            throw SwiftError.of(503);
        }
        ObjectMeta posted = current.withPost(type, metadata);
        listings.postObject(account, container, name, listingType(type, posted), deleteAt(posted));
        return posted;
    }

    /** Deletes; 404 when there is nothing to delete (or it has expired). */
    public void delete(String account, String container, String name) {
        Ring.Location location = replicas.ring().locate(account, container, name);
        if (current(location).isEmpty()) {
            throw SwiftError.of(404);
        }
        tombstone(account, container, name, location);
    }

    /**
     * The expirer's delete: removes the object if it still expires at deleteAt (a newer PUT or POST
     * may have changed that); false when it no longer does, after the listing row learned what it
     * says now.
     */
    public boolean expire(String account, String container, String name, long deleteAt) {
        Ring.Location location = replicas.ring().locate(account, container, name);
        Optional<ObjectMeta> stored = replicas.newest(location).map(Replicas.State.Present::meta);
        if (stored.isPresent() && !stored.get().deleteAt().equals(java.util.OptionalLong.of(deleteAt))) {
            listings.postObject(account, container, name, listingType(stored.get().contentType(), stored.get()),
                    deleteAt(stored.get()));
            return false;
        }
        tombstone(account, container, name, location);
        return true;
    }

    private void tombstone(String account, String container, String name, Ring.Location location) {
        Timestamp time = Timestamp.now();
        if (replicas.delete(location, time) < replicas.ring().quorum()) {
            throw SwiftError.of(503);
        }
        listings.deleteObject(account, container, name, time.toString());
    }

    private Optional<ObjectMeta> current(Ring.Location location) {
        return replicas.newest(location).map(Replicas.State.Present::meta).filter(meta -> !meta.expired(now()));
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static Long deleteAt(ObjectMeta meta) {
        return meta.deleteAt().isPresent() ? meta.deleteAt().getAsLong() : null;
    }

    /** The listing row of the object name stored with meta. */
    public static ObjectRow listingRow(String name, ObjectMeta meta) {
        return new ObjectRow(name, meta.contentLength(), meta.etag(), listingType(meta.contentType(), meta), meta.timestamp(),
                deleteAt(meta));
    }

    /**
     * The content type of an object's listing row: a static large object's carries its total size
     * as Swift's {@code ;swift_bytes=} parameter, which listings show as its bytes.
     */
    static String listingType(String contentType, ObjectMeta meta) {
        String total = meta.metadata().get(SLO_SIZE);
        return total == null ? contentType : contentType + ";swift_bytes=" + total;
    }

    /** The sysmeta key holding a static large object's total size (see the API's LargeObjects). */
    public static final String SLO_SIZE = "X-Object-Sysmeta-Slo-Size";

    /** A failure reading the request body is the client's (it went away): Swift's 499. */
    private static int read(InputStream body, byte[] buffer) {
        try {
            return body.read(buffer);
        } catch (IOException e) {
            throw SwiftError.of(499);
        }
    }

    static String unquote(String etag) {
        String e = etag.strip();
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }
}
