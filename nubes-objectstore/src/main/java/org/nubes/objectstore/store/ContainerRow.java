package org.nubes.objectstore.store;

import java.util.Map;

/** A container's row: its counts, metadata (X-Container-Meta-* in title case) and ACLs. */
public record ContainerRow(String account, String name, long objectCount, long bytesUsed,
        Map<String, String> metadata, String readAcl, String writeAcl, String created, String modified) {}
