package org.nubes.objectstore.store;

/**
 * The paging parameters Swift's listings share. Names strictly after marker and strictly before
 * endMarker (null: unbounded), starting with prefix, at most limit of them, in reverse when asked.
 */
public record ListingQuery(String prefix, String marker, String endMarker, int limit, boolean reverse) {}
