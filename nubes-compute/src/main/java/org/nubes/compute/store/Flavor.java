package org.nubes.compute.store;

import java.util.Map;

/** A flavor: the size of a server. Servers keep a copy of the one they were built with. */
public record Flavor(
        String id,
        String name,
        int vcpus,
        int memoryMb,
        int rootGb,
        int ephemeralGb,
        int swapMb,
        double rxtxFactor,
        boolean isPublic,
        boolean disabled,
        String description,
        Map<String, String> extraSpecs) {

    public Flavor {
        extraSpecs = Map.copyOf(extraSpecs);
    }
}
