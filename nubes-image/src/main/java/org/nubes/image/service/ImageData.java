package org.nubes.image.service;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * failed upload leaves no data and no active image. Uploads and stagings reserve their bytes
 * against the project's quota in the database as they run (see {@link #RESERVATION_STEP}).
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

    /**
     * Streams the body into the store and activates the image. contentLength is the request's
     * Content-Length, or -1 when the body is chunked.
     */
    public void upload(Caller caller, String id, InputStream body, long contentLength) {
        Image image = images.visible(caller, id);
        caller.enforce("upload_image", images.target(image, caller));
        requireFormats(image);
        begin(image, "saving");
        ImageBackend.Stored stored;
        try {
            stored = backend.put(id, reserving(image, body, contentLength), config.maxImageBytes());
        } catch (IOException | RuntimeException e) {
            store.release(id);
            store.transition(id, "saving", "killed", Instant.now());
            throw uploadFailed(image, e);
        }
        if (!store.activate(id, "saving", stored.size(), stored.md5(), stored.sha512(), Instant.now())) {
            deleteQuietly(id);
            throw ApiException.conflict("Image %s was deleted or changed during the upload.", id);
        }
    }

    /** PUT /stage: the data waits under a staging key with its size and hashes, the image is "uploading". */
    public void stage(Caller caller, String id, InputStream body, long contentLength) {
        Image image = images.visible(caller, id);
        caller.enforce("upload_image", images.target(image, caller));
        begin(image, "uploading");
        ImageBackend.Stored stored;
        try {
            stored = backend.put(stagingKey(id), reserving(image, body, contentLength), config.maxImageBytes());
        } catch (IOException | RuntimeException e) {
            store.release(id);
            // As Glance does, a failed staging puts the image back to queued so it can be staged again.
            store.transition(id, "uploading", "queued", Instant.now());
            throw uploadFailed(image, e);
        }
        if (!store.staged(id, stored.size(), stored.md5(), stored.sha512())) {
            deleteQuietly(stagingKey(id));
            throw ApiException.conflict("Image %s was deleted or changed during the upload.", id);
        }
    }

    /**
     * POST /import with glance-direct: moves the staged data to the image's key (a rename, not a
     * second copy) and activates the image with the size and hashes computed while it was staged.
     * A failed move leaves the image as Glance leaves a failed import: back to queued, with the
     * staged data where it was (Glance deletes it only after a successful import); staging again
     * replaces it, deleting the image removes it.
     */
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
            throw ApiException.conflict(NOT_STAGED);
        }
        for (String format : List.of("container_format", "disk_format")) {
            String value = format.equals("disk_format") ? image.meta().diskFormat() : image.meta().containerFormat();
            if (value == null) {
                throw ApiException.conflict("'%s' needs to be set before import", format);
            }
        }
        if (!store.beginImport(id, Instant.now())) {
            // Another import won, or the staging has not finished yet.
            String status = store.get(id).map(Image::status).orElse("deleted");
            throw ApiException.conflict(status.equals("importing") ? "Image %s is already being imported.".formatted(id)
                    : NOT_STAGED);
        }
        try {
            backend.move(stagingKey(id), id);
        } catch (IOException e) {
            if (!store.failImport(id, Instant.now())) {
                throw ApiException.conflict("Image %s was deleted during the import.", id);
            }
            throw new UncheckedIOException("import of image " + id + " failed", e);
        }
        if (!store.activateStaged(id, Instant.now())) {
            deleteQuietly(id);
            throw ApiException.conflict("Image %s was deleted or changed during the import.", id);
        }
    }

    private static final String NOT_STAGED = "Image needs to be staged before 'glance-direct' method can be used";

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

    /**
     * How far a chunked upload's quota reservation runs ahead of the bytes it has received. An
     * upload or staging reserves its bytes against image.quota_bytes while it runs, in the
     * database (see {@link ImageStore#reserve}), so that a project's stored plus in-flight bytes
     * never exceed its quota, however many uploads run at once on however many API nodes. With a
     * Content-Length the whole body is reserved before its first byte is read, so an upload that
     * cannot fit fails at once; without one, a step at a time as the bytes arrive, never fewer
     * than have arrived, and it fails as soon as those do not fit. A step is one small transaction
     * per 16 MiB; the price is that a chunked upload may hold up to one step more than it ends up
     * storing, and so refuse a concurrent upload that would just have fit.
     */
    static final long RESERVATION_STEP = 16L << 20;

    /** The body, reserving quota as it is read; the body itself when no quota applies. */
    private InputStream reserving(Image image, InputStream body, long contentLength) throws IOException {
        if (contentLength > config.maxImageBytes()) {
            throw new ImageBackend.TooLargeException("Content-Length exceeds the largest allowed image size");
        }
        if (config.quotaBytes() < 0 || image.owner() == null) {
            return body;
        }
        Reserving reserving = new Reserving(image, body);
        if (contentLength >= 0) {
            reserving.reserve(contentLength, contentLength);
        }
        return reserving;
    }

    /** Counts the bytes read and keeps the reservation ahead of them, or fails as too large. */
    private final class Reserving extends FilterInputStream {
        private final Image image;
        private long received;
        private long reserved;

        Reserving(Image image, InputStream body) {
            super(body);
            this.image = image;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                received(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                received(n);
            }
            return n;
        }

        private void received(int n) throws IOException {
            received += n;
            if (received > reserved) {
                reserve(received, received + RESERVATION_STEP);
            }
        }

        void reserve(long minimum, long wanted) throws ImageBackend.TooLargeException {
            long granted = store.reserve(image.id(), image.owner(), minimum, wanted, config.quotaBytes(), Instant.now());
            if (granted < 0) {
                throw new ImageBackend.TooLargeException("image data exceeds the project's storage quota");
            }
            reserved = granted;
        }
    }

    /** The most bytes this upload may store: the image size limit, and what the project has left. */
    private long allowedBytes(Image image) {
        long allowed = config.maxImageBytes();
        if (config.quotaBytes() >= 0 && image.owner() != null) {
            long left = Math.max(0, config.quotaBytes() - store.bytesInUse(image.owner(), image.id()));
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
