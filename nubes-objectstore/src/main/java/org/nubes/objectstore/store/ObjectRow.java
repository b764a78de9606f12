package org.nubes.objectstore.store;

/** An object's listing row; lastModified is its Swift timestamp. */
public record ObjectRow(String name, long size, String etag, String contentType, String lastModified) {}
