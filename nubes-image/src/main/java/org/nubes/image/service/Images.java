package org.nubes.image.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.image.ImageConfig;
import org.nubes.image.backend.ImageBackend;
import org.nubes.image.store.Image;
import org.nubes.image.store.ImageMeta;
import org.nubes.image.store.ImageStore;

/**
 * Images as Glance keeps them: who sees which (visibility and membership), creation with quotas,
 * patches, deletion with its data, tags and deactivation. Policy rules carry Glance's names.
 */
public final class Images {
    private final ImageStore store;
    private final ImageBackend backend;
    private final ImageConfig config;

    public Images(ImageStore store, ImageBackend backend, ImageConfig config) {
        this.store = store;
        this.backend = backend;
        this.config = config;
    }

    /** A page of the images the caller may list, and whether more follow. */
    public record Page(List<Image> images, boolean more) {}

    /** The policy target of an image: its owner, its visibility, and the caller if it is a member. */
    public Target target(Image image, Caller caller) {
        String member = caller.project() != null && store.member(image.id(), caller.project()).isPresent()
                ? caller.project() : null;
        return Target.of("project_id", image.owner(), "owner", image.owner(),
                "visibility", image.visibility(), "member_id", member);
    }

    /**
     * The image if the caller may see it, else 404 (never 403: another project's private image does
     * not exist for the caller). Members see a shared image whatever their member status.
     */
    public Image visible(Caller caller, String id) {
        Image image = store.get(id).orElseThrow(() -> Fault.imageNotFound(id));
        if (caller.isAdmin() || isOwner(caller, image)) {
            return image;
        }
        return switch (image.visibility()) {
            case "public", "community" -> image;
            case "shared" -> {
                if (caller.project() != null && store.member(id, caller.project()).isPresent()) {
                    yield image;
                }
                throw Fault.imageNotFound(id);
            }
            default -> throw Fault.imageNotFound(id);
        };
    }

    /** GET with the get_image rule checked. */
    public Image show(Caller caller, String id) {
        Image image = visible(caller, id);
        caller.enforce("get_image", target(image, caller));
        return image;
    }

    static boolean isOwner(Caller caller, Image image) {
        return caller.project() != null && caller.project().equals(image.owner());
    }

    public Page list(Caller caller, ImageQuery query) {
        Map<String, String> memberships = caller.project() == null ? Map.of() : store.memberships(caller.project());
        List<Image> candidates = caller.isAdmin() ? store.list()
                : caller.project() == null ? List.of() : store.listVisibleTo(caller.project());
        List<Image> all = candidates.stream()
                .filter(i -> listed(caller, i, query, memberships))
                .filter(query::matches)
                .sorted(query.comparator())
                .toList();
        int start = 0;
        if (query.marker() != null) {
            start = -1;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).id().equals(query.marker())) {
                    start = i + 1;
                    break;
                }
            }
            if (start < 0) {
                throw ApiException.badRequest("Invalid marker. Image %s could not be found.", query.marker());
            }
        }
        int end = Math.min(all.size(), start + query.limit());
        return new Page(all.subList(start, end), end < all.size() && query.limit() > 0);
    }

    /**
     * Glance's list rules: without a visibility filter a project sees its own images, public ones and
     * shared ones it accepted (or the member_status asked for), not community images of others; those
     * appear only when asked for with visibility=community. An admin sees everything.
     */
    private static boolean listed(Caller caller, Image image, ImageQuery query, Map<String, String> memberships) {
        String visibility = image.visibility();
        if (query.visibility() != null && !query.visibility().equals("all") && !query.visibility().equals(visibility)) {
            return false;
        }
        if (caller.isAdmin()) {
            return true;
        }
        if (isOwner(caller, image)) {
            return true;
        }
        return switch (visibility) {
            case "public" -> true;
            // Only asked for (visibility=community or all); it already matched the filter above.
            case "community" -> query.visibility() != null;
            case "shared" -> {
                String status = memberships.get(image.id());
                yield status != null && (query.memberStatus().equals("all") || query.memberStatus().equals(status));
            }
            default -> false;
        };
    }

    public Image create(Caller caller, ObjectNode body) {
        for (var field : body.properties()) {
            if (!field.getKey().equals("id")) {
                ImageFields.checkWritable(field.getKey());
            }
        }
        String id = UUID.randomUUID().toString();
        JsonNode requestedId = body.remove("id");
        if (requestedId != null) {
            if (!requestedId.isTextual() || !ImageFields.UUID.matcher(requestedId.asText()).matches()) {
                throw Fault.invalid("%s does not match the UUID pattern (id)".formatted(requestedId));
            }
            id = requestedId.asText();
        }
        ImageMeta meta = ImageFields.meta(body, config, caller.project());
        caller.enforce("add_image", Target.of("project_id", caller.project(), "owner", meta.owner()));
        checkVisibility(caller, meta.visibility(), meta.owner());
        checkImageQuota(meta.owner());
        Instant now = Instant.now();
        Image image = new Image(id, meta, "queued", null, null, null, now, now);
        if (!store.create(image)) {
            throw ApiException.conflict("An image with identifier %s already exists.", id);
        }
        return image;
    }

    /** Applies a JSON patch; nothing is stored unless every operation and the result are valid. */
    public Image update(Caller caller, String id, JsonNode operations) {
        Image image = visible(caller, id);
        caller.enforce("modify_image", target(image, caller));
        ObjectNode doc = ImageFields.document(image.meta());
        Patch.apply(operations, doc, caller.isAdmin());
        ImageMeta meta = ImageFields.meta(doc, config, image.owner());
        boolean formatsChanged = !Objects.equals(meta.diskFormat(), image.meta().diskFormat())
                || !Objects.equals(meta.containerFormat(), image.meta().containerFormat());
        if (formatsChanged && !image.status().equals("queued")) {
            String attribute = !Objects.equals(meta.diskFormat(), image.meta().diskFormat())
                    ? "disk_format" : "container_format";
            throw ApiException.forbidden("Attribute %s can be only replaced for a queued image.", attribute);
        }
        if (!meta.visibility().equals(image.visibility())) {
            checkVisibility(caller, meta.visibility(), meta.owner());
        }
        Instant now = Instant.now();
        store.updateMeta(id, meta, now);
        return store.get(id).orElseThrow(() -> Fault.imageNotFound(id));
    }

    /** Making an image public is for admins; community is for the owner's members too. */
    private static void checkVisibility(Caller caller, String visibility, String owner) {
        Target target = Target.of("project_id", owner, "owner", owner, "visibility", visibility);
        switch (visibility) {
            case "public" -> caller.enforce("publicize_image", target);
            case "community" -> caller.enforce("communitize_image", target);
            default -> { }
        }
    }

    private void checkImageQuota(String owner) {
        long quota = config.quotaImages();
        if (quota >= 0 && owner != null) {
            long used = store.countOwned(owner);
            if (used + 1 > quota) {
                throw ApiException.tooLarge(
                        "Project %s is over a limit for image_count_total: the limit is %d, %d images are in use.",
                        owner, quota, used);
            }
        }
    }

    /** The caller's project usage and limits; -1 means no limit. */
    public ImageStore.Usage usage(Caller caller) {
        return caller.project() == null ? new ImageStore.Usage(0, 0, 0, 0) : store.usage(caller.project());
    }

    /** Deletes the image and its data, staged data included; a protected image stays. */
    public void delete(Caller caller, String id) {
        Image image = visible(caller, id);
        caller.enforce("delete_image", target(image, caller));
        if (image.meta().isProtected()) {
            throw ApiException.forbidden("Image %s is protected and cannot be deleted.", id);
        }
        store.delete(id);
        try {
            backend.delete(id);
            backend.delete(ImageData.stagingKey(id));
        } catch (IOException e) {
            throw new UncheckedIOException("image " + id + " is deleted but its data could not be removed", e);
        }
    }

    public void addTag(Caller caller, String id, String tag) {
        Image image = visible(caller, id);
        caller.enforce("modify_image", target(image, caller));
        ImageFields.tag(tag);
        List<String> tags = new ArrayList<>(image.meta().tags());
        if (!tags.contains(tag)) {
            tags.add(tag);
            if (tags.size() > ImageFields.MAX_TAGS) {
                throw ApiException.tooLarge("Maximum number of image tags (%d) exceeded.", ImageFields.MAX_TAGS);
            }
            store.updateMeta(id, withTags(image.meta(), tags), Instant.now());
        }
    }

    public void deleteTag(Caller caller, String id, String tag) {
        Image image = visible(caller, id);
        caller.enforce("modify_image", target(image, caller));
        List<String> tags = new ArrayList<>(image.meta().tags());
        if (!tags.remove(tag)) {
            throw ApiException.notFound("Tag %s not found.", tag);
        }
        store.updateMeta(id, withTags(image.meta(), tags), Instant.now());
    }

    private static ImageMeta withTags(ImageMeta m, List<String> tags) {
        return new ImageMeta(m.name(), m.owner(), m.visibility(), m.diskFormat(), m.containerFormat(),
                m.minDisk(), m.minRam(), m.isProtected(), m.hidden(), tags, m.properties());
    }

    /** active -> deactivated; deactivating a deactivated image does nothing. */
    public void deactivate(Caller caller, String id) {
        changeActivation(caller, id, "deactivate", "active", "deactivated");
    }

    public void reactivate(Caller caller, String id) {
        changeActivation(caller, id, "reactivate", "deactivated", "active");
    }

    private void changeActivation(Caller caller, String id, String rule, String from, String to) {
        Image image = visible(caller, id);
        caller.enforce(rule, target(image, caller));
        if (image.status().equals(to)) {
            return;
        }
        if (!image.status().equals(from) || !store.transition(id, from, to, Instant.now())) {
            String now = store.get(id).map(Image::status).orElse(image.status());
            throw ApiException.forbidden("Not allowed to %s image in status '%s'", rule, now);
        }
    }
}
