package org.nubes.image.service;

import org.nubes.core.http.ApiException;

/** Glance's answers that several places give. */
final class Fault {
    private Fault() {}

    static ApiException imageNotFound(String id) {
        return ApiException.notFound("No image found with ID %s", id);
    }

    static ApiException invalid(String detail) {
        return ApiException.badRequest("Provided object does not match schema 'image': %s", detail);
    }
}
