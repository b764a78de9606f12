package org.nubes.objectstore.disk;

import java.util.Map;
import java.util.TreeMap;

/**
 * What is stored beside an object's data, as JSON in {@code <timestamp>.json} next to
 * {@code <timestamp>.data}: its size, md5 etag, content type and X-Object-Meta-* headers (names in
 * Swift's title case). A POST writes a {@code <timestamp>.meta} JSON file with a new content type
 * and metadata that overlays the data file's.
 */
public record ObjectMeta(String timestamp, long contentLength, String etag, String contentType, Map<String, String> metadata) {
    public ObjectMeta {
        metadata = new TreeMap<>(metadata);
    }

    public Timestamp time() {
        return Timestamp.parse(timestamp);
    }

    /** This object's data with a POST's content type (null: unchanged) and metadata laid over it. */
    public ObjectMeta withPost(String newContentType, Map<String, String> newMetadata) {
        return new ObjectMeta(timestamp, contentLength, etag, newContentType == null ? contentType : newContentType, newMetadata);
    }
}
