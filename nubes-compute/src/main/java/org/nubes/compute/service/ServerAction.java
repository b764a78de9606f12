package org.nubes.compute.service;

import java.util.Map;
import org.nubes.compute.store.Flavor;

/**
 * What a user can ask of an existing server through POST /servers/{id}/action. Each action is
 * planned in one exhaustive switch ({@link Servers#plan}), so a new action does not compile until
 * it says in which states it is allowed and what it starts.
 */
public sealed interface ServerAction {
    record Start() implements ServerAction {}

    record Stop() implements ServerAction {}

    record Reboot(boolean hard) implements ServerAction {}

    record Pause() implements ServerAction {}

    record Unpause() implements ServerAction {}

    record Suspend() implements ServerAction {}

    record Resume() implements ServerAction {}

    record Lock(String reason) implements ServerAction {}

    record Unlock() implements ServerAction {}

    /** Starts over from an image; name, metadata and description change when given (null: keep). */
    record Rebuild(String imageRef, String name, Map<String, String> metadata, String description,
            String adminPass) implements ServerAction {}

    record Resize(Flavor flavor) implements ServerAction {}

    record ConfirmResize() implements ServerAction {}

    record RevertResize() implements ServerAction {}

    record CreateImage(String name, Map<String, String> metadata) implements ServerAction {}

    /** os-deferred-delete forceDelete: only for a soft-deleted server. */
    record ForceDelete() implements ServerAction {}
}
