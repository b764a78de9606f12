package org.nubes.objectstore.store;

import java.util.Map;

/** An account's metadata (X-Account-Meta-*) and totals over its containers. */
public record AccountRow(String account, Map<String, String> metadata, String created,
        long containerCount, long objectCount, long bytesUsed) {}
