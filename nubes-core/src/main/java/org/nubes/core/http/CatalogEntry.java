package org.nubes.core.http;

/** What a service puts in the identity catalog: its type, name and endpoint URL. */
public record CatalogEntry(String type, String name, String url) {}
