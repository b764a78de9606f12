package org.nubes.objectstore.store;

/**
 * An object's listing row; lastModified is its Swift timestamp, deleteAt the Unix time it expires
 * (null: never).
 */
public record ObjectRow(String name, long size, String etag, String contentType, String lastModified, Long deleteAt) {
    public ObjectRow(String name, long size, String etag, String contentType, String lastModified) {
        this(name, size, etag, contentType, lastModified, null);
    }
}
