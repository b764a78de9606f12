package org.nubes.compute.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A server as the compute service keeps it. The states are Nova's: vm_state (stable), task_state
 * (what is under way, or null) and power_state (what the driver last saw); the API status is
 * derived from the first two by {@link org.nubes.compute.service.ServerStatus}.
 */
public record Instance(
        String id,
        String name,
        String projectId,
        String userId,
        String imageRef,
        Flavor flavor,
        String vmState,
        String taskState,
        int powerState,
        String host,
        String node,
        String availabilityZone,
        String keyName,
        String keyData,
        String userData,
        Map<String, String> metadata,
        List<String> tags,
        String description,
        Lock lock,
        String accessIpv4,
        String accessIpv6,
        String configDrive,
        String hostname,
        int launchIndex,
        String reservationId,
        int progress,
        Fault fault,
        Flavor oldFlavor,
        Instant launchedAt,
        Instant terminatedAt,
        Instant createdAt,
        Instant updatedAt,
        Instant deletedAt,
        boolean deleted,
        List<Vif> networkInfo) {

    public Instance {
        metadata = Map.copyOf(metadata);
        tags = List.copyOf(tags);
        networkInfo = networkInfo == null ? List.of() : List.copyOf(networkInfo);
    }

    /** Who locked it (owner or admin) and why; null reason when none was given. */
    public record Lock(boolean locked, String lockedBy, String reason) {
        public static final Lock NONE = new Lock(false, null, null);
    }

    /** Why a server is in ERROR, as Nova shows it. */
    public record Fault(int code, String message, String details, Instant created) {}

    public Instance withStates(String vmState, String taskState, int powerState) {
        return new Instance(id, name, projectId, userId, imageRef, flavor, vmState, taskState, powerState, host, node,
                availabilityZone, keyName, keyData, userData, metadata, tags, description, lock, accessIpv4, accessIpv6,
                configDrive, hostname, launchIndex, reservationId, progress, fault, oldFlavor, launchedAt, terminatedAt,
                createdAt, updatedAt, deletedAt, deleted, networkInfo);
    }
}
