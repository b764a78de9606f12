package org.nubes.compute.service;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Nova's mapping between (vm_state, task_state) and the status users see, both ways: a server's
 * status, and the vm_states (plus task_state) a status filter means.
 */
public final class ServerStatus {
    private ServerStatus() {}

    /** Nova's vm_state names. */
    public static final String ACTIVE = "active", BUILDING = "building", STOPPED = "stopped", PAUSED = "paused",
            SUSPENDED = "suspended", RESIZED = "resized", ERROR = "error", DELETED = "deleted",
            SOFT_DELETED = "soft-delete", SHELVED = "shelved", SHELVED_OFFLOADED = "shelved_offloaded",
            RESCUED = "rescued";

    private static final Map<String, String> DEFAULT = Map.ofEntries(
            Map.entry(ACTIVE, "ACTIVE"), Map.entry(BUILDING, "BUILD"), Map.entry(STOPPED, "SHUTOFF"),
            Map.entry(RESIZED, "VERIFY_RESIZE"), Map.entry(PAUSED, "PAUSED"), Map.entry(SUSPENDED, "SUSPENDED"),
            Map.entry(RESCUED, "RESCUE"), Map.entry(ERROR, "ERROR"), Map.entry(DELETED, "DELETED"),
            Map.entry(SOFT_DELETED, "SOFT_DELETED"), Map.entry(SHELVED, "SHELVED"),
            Map.entry(SHELVED_OFFLOADED, "SHELVED_OFFLOADED"));

    private static final Map<String, String> RESIZING = Map.of("resize_prep", "RESIZE", "resize_migrating", "RESIZE",
            "resize_migrated", "RESIZE", "resize_finish", "RESIZE");

    /** The status of a server in these states. */
    public static String of(String vmState, String taskState) {
        if (taskState != null) {
            String during = switch (vmState) {
                case ACTIVE -> switch (taskState) {
                    case "rebooting" -> "REBOOT";
                    case "reboot_pending", "reboot_started" -> "REBOOT";
                    case "rebooting_hard", "reboot_pending_hard", "reboot_started_hard" -> "HARD_REBOOT";
                    case "updating_password" -> "PASSWORD";
                    case "rebuilding", "rebuild_block_device_mapping", "rebuild_spawning" -> "REBUILD";
                    case "migrating" -> "MIGRATING";
                    default -> RESIZING.get(taskState);
                };
                case STOPPED -> switch (taskState) {
                    case "rebuilding", "rebuild_block_device_mapping", "rebuild_spawning" -> "REBUILD";
                    default -> RESIZING.get(taskState);
                };
                case RESIZED -> "resize_reverting".equals(taskState) ? "REVERT_RESIZE" : null;
                case PAUSED -> "migrating".equals(taskState) ? "MIGRATING" : null;
                case ERROR -> taskState.startsWith("rebuild") ? "REBUILD" : null;
                default -> null;
            };
            if (during != null) {
                return during;
            }
        }
        return DEFAULT.getOrDefault(vmState, "UNKNOWN");
    }

    /** What a status filter selects: vm_states, and a task_state (null: any). */
    public record Selection(List<String> vmStates, List<String> taskStates) {}

    /** The selection for a status filter, or null when the status is not one Nova knows. */
    public static Selection select(String status) {
        return switch (status.toUpperCase(Locale.ROOT)) {
            case "ACTIVE" -> new Selection(List.of(ACTIVE), null);
            case "BUILD" -> new Selection(List.of(BUILDING), null);
            case "SHUTOFF" -> new Selection(List.of(STOPPED), null);
            case "PAUSED" -> new Selection(List.of(PAUSED), null);
            case "SUSPENDED" -> new Selection(List.of(SUSPENDED), null);
            case "VERIFY_RESIZE" -> new Selection(List.of(RESIZED), null);
            case "ERROR" -> new Selection(List.of(ERROR), null);
            case "DELETED" -> new Selection(List.of(DELETED), null);
            case "SOFT_DELETED" -> new Selection(List.of(SOFT_DELETED), null);
            case "SHELVED" -> new Selection(List.of(SHELVED), null);
            case "SHELVED_OFFLOADED" -> new Selection(List.of(SHELVED_OFFLOADED), null);
            case "RESCUE" -> new Selection(List.of(RESCUED), null);
            case "REBOOT" -> new Selection(List.of(ACTIVE), List.of("rebooting", "reboot_pending", "reboot_started"));
            case "HARD_REBOOT" -> new Selection(List.of(ACTIVE), List.of("rebooting_hard", "reboot_pending_hard", "reboot_started_hard"));
            case "REBUILD" -> new Selection(List.of(ACTIVE, STOPPED, ERROR), List.of("rebuilding", "rebuild_block_device_mapping", "rebuild_spawning"));
            case "RESIZE" -> new Selection(List.of(ACTIVE, STOPPED), List.copyOf(RESIZING.keySet()));
            case "REVERT_RESIZE" -> new Selection(List.of(RESIZED), List.of("resize_reverting"));
            case "MIGRATING" -> new Selection(List.of(ACTIVE, PAUSED), List.of("migrating"));
            case "PASSWORD" -> new Selection(List.of(ACTIVE), List.of("updating_password"));
            default -> null;
        };
    }
}
