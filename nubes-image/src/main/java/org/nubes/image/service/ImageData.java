package org.nubes.image.service;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.nubes.core.http.ApiException;
import org.nubes.image.ImageConfig;
import org.nubes.image.backend.ImageBackend;
import org.nubes.image.store.Image;
import org.nubes.image.store.ImageStore;

/**
 * Image data: upload (queued -> saving -> active, killed when it fails), staging and the
 * glance-direct import, and download. The status moves by conditional updates, so of two uploads
 * to one image only the one that moved it out of queued writes; the backend's put is atomic, so a
 * failed upload leaves no data and no active image.
 */
public final class ImageData {
    public static final List<String> IMPORT_METHODS = List.of("glance-direct");

    private final ImageStore store;
    private final ImageBackend backend;
    private final ImageConfig config;
    private final Images images;

    public ImageData(ImageStore store, ImageBackend backend, ImageConfig config, Images images) {
        this.store = store;
        this.backend = backend;
        this.config = config;
        this.images = images;
    }

    /** Where the staged data of an image waits for its import. */
    static String stagingKey(String id) {
        return id + ".staging";
    }

    /** Streams the body into the store and activates the image. */
    public void upload(Caller caller, String id, InputStream body) {
        Image image = images.visible(caller, id);
        caller.enforce("upload_image", images.target(image, caller));
        requireFormats(image);
        begin(image, "saving");
        ImageBackend.Stored stored;
        try {
            stored = backend.put(id, body, allowedBytes(image));
        } catch (IOException | RuntimeException e) {
            store.transition(id, "saving", "killed", Instant.now());
            throw uploadFailed(image, e);
        }
        if (!store.activate(id, "saving", stored.size(), stored.md5(), stored.sha512(), Instant.now())) {
            deleteQuietly(id);
            throw ApiException.conflict("Image %s was deleted or changed during the upload.", id);
        }
    }

    /** PUT /stage: the data waits under a staging key, the image is "uploading". */
    public void stage(Caller caller, String id, InputStream body) {
        Image image = images.visible(caller, id);
        caller.enforce("upload_image", images.target(image, caller));
        begin(image, "uploading");
        ImageBackend.Stored stored;
        try {
            stored = backend.put(stagingKey(id), body, allowedBytes(image));
        } catch (IOException | RuntimeException e) {
            // As Glance does, a failed staging puts the image back to queued so it can be staged again.
            store.transition(id, "uploading", "queued", Instant.now());
            throw uploadFailed(image, e);
        }
        store.setSize(id, stored.size());
    }

    /** POST /import with glance-direct: copies the staged data into the store and activates. */
    public void importImage(Caller caller, String id, String method) {
        Image image = images.visible(caller, id);
        caller.enforce("modify_image", images.target(image, caller));
        if (method.equals("web-download") || method.equals("glance-download") || method.equals("copy-image")) {
            throw ApiException.badRequest("Import method '%s' is not available: this cloud cannot reach any network "
                    + "to fetch image data from. Use glance-direct (stage, then import).", method);
        }
        if (!IMPORT_METHODS.contains(method)) {
            throw ApiException.badRequest("Unknown import method name '%s'.", method);
        }
        if (image.status().equals("active")) {
            throw ApiException.conflict("Image with status active cannot be target for import");
        }
        if (!image.status().equals("uploading")) {
            throw ApiException.conflict("Image needs to be staged before 'glance-direct' method can be used");
        }
        for (String format : List.of("container_format", "disk_format")) {
            String value = format.equals("disk_format") ? image.meta().diskFormat() : image.meta().containerFormat();
            if (value == null) {
                throw ApiException.conflict("'%s' needs to be set before import", format);
            }
        }
        if (!store.transition(id, "uploading", "importing", Instant.now())) {
            throw ApiException.conflict("Image %s is already being imported.", id);
        }
        ImageBackend.Stored stored;
        try (InputStream staged = backend.open(stagingKey(id), 0, -1)) {
            stored = backend.put(id, staged, Long.MAX_VALUE);
        } catch (IOException e) {
            store.transition(id, "importing", "queued", Instant.now());
            store.setSize(id, null);
            deleteQuietly(stagingKey(id));
            throw new java.io.UncheckedIOException("import of image " + id + " failed", e);
        }
        deleteQuietly(stagingKey(id));
        if (!store.activate(id, "importing", stored.size(), stored.md5(), stored.sha512(), Instant.now())) {
            deleteQuietly(id);
            throw ApiException.conflict("Image %s was deleted or changed during the import.", id);
        }
    }

    /** The image whose data the caller may read; null when it has none (Glance answers 204). */
    public Image readable(Caller caller, String id) {
        Image image = images.visible(caller, id);
        caller.enforce("download_image", images.target(image, caller));
        if (image.status().equals("deactivated") && !caller.isAdmin()) {
            throw ApiException.forbidden("The requested image has been deactivated. Image data download is forbidden.");
        }
        boolean hasData = image.status().equals("active") || image.status().equals("deactivated");
        return hasData ? image : null;
    }

    public InputStream open(Image image, long offset, long length) throws IOException {
        return backend.open(image.id(), offset, length);
    }

    private void requireFormats(Image image) {
        List<String> missing = new java.util.ArrayList<>();
        if (image.meta().diskFormat() == null) {
            missing.add("disk_format");
        }
        if (image.meta().containerFormat() == null) {
            missing.add("container_format");
        }
        if (!missing.isEmpty()) {
            throw ApiException.badRequest("%s %s must be set prior to saving data.",
                    missing.size() == 1 ? "Property" : "Properties", String.join(", ", missing));
        }
    }

    /** queued -> to, or 409 for the request that lost the race (or found the image past queued). */
    private void begin(Image image, String to) {
        if (!store.transition(image.id(), "queued", to, Instant.now())) {
            String status = store.get(image.id()).map(Image::status).orElse("deleted");
            throw ApiException.conflict("Image status transition from %s to %s is not allowed", status, to);
        }
    }

    /** The most bytes this upload may store: the image size limit, and what is left of the owner's quota. */
    private long allowedBytes(Image image) {
        long allowed = config.maxImageBytes();
        if (config.quotaBytes() >= 0 && image.owner() != null) {
            long left = Math.max(0, config.quotaBytes() - store.bytesOwned(image.owner()));
            allowed = Math.min(allowed, left);
        }
        return allowed;
    }

    private ApiException uploadFailed(Image image, Exception e) {
        if (e instanceof ImageBackend.TooLargeException) {
            return ApiException.tooLarge("Image %s exceeds the storage quota or the largest allowed image size "
                    + "(%d bytes); nothing was stored.", image.id(), allowedBytes(image));
        }
        return ApiException.badRequest("The upload of image %s failed before all data arrived; nothing was stored.",
                image.id());
    }

    private void deleteQuietly(String key) {
        try {
            backend.delete(key);
        } catch (IOException ignored) {
            // Data without a row is unreachable; a cleanup pass can remove it later.
        }
    }
}
