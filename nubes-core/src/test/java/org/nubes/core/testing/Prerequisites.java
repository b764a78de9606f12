package org.nubes.core.testing;

import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (root, crun, nft, a CLI). On a developer's machine a missing
 * prerequisite skips the test; in CI (the variable CI is set), where .ci/run installs everything,
 * it fails it, so that a privileged or real-client test can never pass by not running.
 */
public final class Prerequisites {
    private Prerequisites() {}

    /** Skips (or in CI fails) the calling test when {@code missing} holds a reason. */
    public static void require(Optional<String> missing) {
        missing.ifPresent(reason -> {
            if (System.getenv("CI") != null) {
                throw new AssertionError("CI must provide what this test needs: " + reason);
            }
            Assumptions.abort(reason);
        });
    }

    /** Skips (or in CI fails) the calling test unless {@code met}. */
    public static void require(boolean met, String reason) {
        require(met ? Optional.empty() : Optional.of(reason));
    }
}
