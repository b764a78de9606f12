package org.nubes.objectstore.disk;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What is stored beside an object's data, as JSON in {@code <timestamp>.json} next to
 * {@code <timestamp>.data}: its size, md5 etag, content type and X-Object-Meta-* headers (names in
 * Swift's title case). A POST writes a {@code <timestamp>.meta} JSON file with a new content type
 * and metadata that overlays the data file's. Both hold the object's path (older files may not),
 * as a tombstone's content does, so that listings can be rebuilt from the disks. An object with
 * {@value #DELETE_AT} in its metadata expires at that Unix time.
 */
public record ObjectMeta(String timestamp, long contentLength, String etag, String contentType, Map<String, String> metadata,
        String path) {
    public ObjectMeta {
        metadata = new TreeMap<>(metadata);
    }

    /** Without a path: what requests and the API deal in (the replicas add theirs). */
    public ObjectMeta(String timestamp, long contentLength, String etag, String contentType, Map<String, String> metadata) {
        this(timestamp, contentLength, etag, contentType, metadata, null);
    }

    /** The same, stored for the object at path ("account/container/object"). */
    public ObjectMeta withPath(String newPath) {
        return new ObjectMeta(timestamp, contentLength, etag, contentType, metadata, newPath);
    }

    /** The metadata key of the Unix time at which the object expires (Swift's header of that name). */
    public static final String DELETE_AT = "X-Delete-At";

    /** The Unix time X-Delete-At names, if any. */
    public OptionalLong deleteAt() {
        String value = metadata.get(DELETE_AT);
        try {
            return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Whether it has expired by the Unix time now (it is gone to readers from then on). */
    public boolean expired(long now) {
        OptionalLong at = deleteAt();
        return at.isPresent() && at.getAsLong() <= now;
    }

    public Timestamp time() {
        return Timestamp.parse(timestamp);
    }

    /** This object's data with a POST's content type (null: unchanged) and metadata laid over it. */
    public ObjectMeta withPost(String newContentType, Map<String, String> newMetadata) {
        return new ObjectMeta(timestamp, contentLength, etag, newContentType == null ? contentType : newContentType, newMetadata,
                path);
    }
}
