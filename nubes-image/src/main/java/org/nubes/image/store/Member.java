package org.nubes.image.store;

import java.time.Instant;

/** A project an image is shared with, and whether that project accepted it. */
public record Member(String imageId, String memberId, String status, Instant createdAt, Instant updatedAt) {}
