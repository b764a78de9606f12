package org.nubes.image.service;

import java.time.Instant;
import java.util.List;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.image.store.Image;
import org.nubes.image.store.ImageStore;
import org.nubes.image.store.Member;

/**
 * Image sharing as Glance does it: only shared images have members; the owner adds and removes
 * them; each member (a project) accepts or rejects the image for itself; a member sees only its
 * own membership, the owner sees all.
 */
public final class Members {
    public static final List<String> STATUSES = List.of("pending", "accepted", "rejected");
    static final int MAX_MEMBERS = 128;

    private final ImageStore store;
    private final Images images;

    public Members(ImageStore store, Images images) {
        this.store = store;
        this.images = images;
    }

    public List<Member> list(Caller caller, String imageId) {
        Image image = sharedImage(caller, imageId, "get_members", null);
        if (caller.isAdmin() || Images.isOwner(caller, image)) {
            return store.members(imageId);
        }
        return store.member(imageId, caller.project()).stream().toList();
    }

    public Member show(Caller caller, String imageId, String memberId) {
        Image image = sharedImage(caller, imageId, "get_member", null);
        if (!caller.isAdmin() && !Images.isOwner(caller, image) && !memberId.equals(caller.project())) {
            throw notFound(memberId, imageId);
        }
        return store.member(imageId, memberId).orElseThrow(() -> notFound(memberId, imageId));
    }

    public Member add(Caller caller, String imageId, String memberId) {
        Image image = sharedImage(caller, imageId, "add_member", null);
        if (memberId.isBlank() || memberId.length() > 255) {
            throw ApiException.badRequest("A member id must have 1 to 255 characters.");
        }
        if (store.members(imageId).size() >= MAX_MEMBERS) {
            throw ApiException.tooLarge("Maximum number of image members (%d) exceeded.", MAX_MEMBERS);
        }
        Instant now = Instant.now();
        Member member = new Member(image.id(), memberId, "pending", now, now);
        if (!store.addMember(member)) {
            throw ApiException.conflict("Member %s is already a member of image %s.", memberId, imageId);
        }
        return member;
    }

    /** Only the member itself (or an admin) accepts or rejects; modify_member checks that. */
    public Member setStatus(Caller caller, String imageId, String memberId, String status) {
        Image image = images.visible(caller, imageId);
        caller.enforce("modify_member", memberTarget(image, memberId));
        if (!STATUSES.contains(status)) {
            throw ApiException.badRequest("Invalid status: %s. It must be one of: %s.", status, String.join(", ", STATUSES));
        }
        store.member(imageId, memberId).orElseThrow(() -> notFound(memberId, imageId));
        store.updateMember(imageId, memberId, status, Instant.now());
        return store.member(imageId, memberId).orElseThrow(() -> notFound(memberId, imageId));
    }

    public void remove(Caller caller, String imageId, String memberId) {
        sharedImage(caller, imageId, "delete_member", memberId);
        store.member(imageId, memberId).orElseThrow(() -> notFound(memberId, imageId));
        store.deleteMember(imageId, memberId);
    }

    /** The visible image with the rule checked; 403 unless it is shared, as in Glance. */
    private Image sharedImage(Caller caller, String imageId, String rule, String memberId) {
        Image image = images.visible(caller, imageId);
        caller.enforce(rule, memberTarget(image, memberId != null ? memberId : memberOrNull(caller, image)));
        if (!image.visibility().equals("shared")) {
            throw ApiException.forbidden("Only shared images have members.");
        }
        return image;
    }

    private String memberOrNull(Caller caller, Image image) {
        return caller.project() != null && store.member(image.id(), caller.project()).isPresent()
                ? caller.project() : null;
    }

    private static Target memberTarget(Image image, String memberId) {
        return Target.of("project_id", image.owner(), "owner", image.owner(), "visibility", image.visibility(),
                "member_id", memberId);
    }

    private static ApiException notFound(String memberId, String imageId) {
        return ApiException.notFound("%s is not a member of image %s", memberId, imageId);
    }
}
