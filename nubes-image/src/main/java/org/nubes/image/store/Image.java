package org.nubes.image.store;

import java.time.Instant;

/**
 * One image: what its owner set ({@link ImageMeta}) and what the service derives (status, and the
 * size and hashes of its data once stored). os_hash_algo is always sha512, so only the value is kept.
 */
public record Image(
        String id,
        ImageMeta meta,
        String status,
        Long size,
        String checksum,
        String hashValue,
        Instant createdAt,
        Instant updatedAt) {

    public String owner() {
        return meta.owner();
    }

    public String visibility() {
        return meta.visibility();
    }
}
