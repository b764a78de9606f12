package org.nubes.compute.service;

import static org.nubes.compute.service.ServerStatus.ACTIVE;
import static org.nubes.compute.service.ServerStatus.ERROR;
import static org.nubes.compute.service.ServerStatus.PAUSED;
import static org.nubes.compute.service.ServerStatus.RESIZED;
import static org.nubes.compute.service.ServerStatus.SOFT_DELETED;
import static org.nubes.compute.service.ServerStatus.STOPPED;
import static org.nubes.compute.service.ServerStatus.SUSPENDED;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nubes.compute.store.Flavor;
import org.nubes.compute.store.Instance;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;

/**
 * The server actions: in which states each is allowed, the task it starts, and the message that
 * hands it to the server's compute agent. The checks and the task change are one conditional
 * update, so two actions racing for one server cannot both start.
 */
public final class ServerActions {
    /** Any vm_state at all (lock, unlock). */
    private static final Set<String> ANY_STATE = Set.of();

    /**
     * How one action runs: the policy rule, the name instance actions record, the vm_states it is
     * allowed in, the task it sets (null: none) and the agent method (null: done here).
     */
    public record Plan(String rule, String name, Set<String> vmStates, String task, String method) {}

    private final Servers servers;
    private final Flavors flavors;

    public ServerActions(Servers servers, Flavors flavors) {
        this.servers = servers;
        this.flavors = flavors;
    }

    public static Plan plan(ServerAction action) {
        return switch (action) {
            case ServerAction.Start s -> new Plan("os_compute_api:servers:start", "start", Set.of(STOPPED), "powering-on", "start_instance");
            case ServerAction.Stop s -> new Plan("os_compute_api:servers:stop", "stop", Set.of(ACTIVE, ERROR), "powering-off", "stop_instance");
            case ServerAction.Reboot r when r.hard() -> new Plan("os_compute_api:servers:reboot", "reboot",
                    Set.of(ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR), "rebooting_hard", "reboot_instance");
            case ServerAction.Reboot r -> new Plan("os_compute_api:servers:reboot", "reboot", Set.of(ACTIVE), "rebooting", "reboot_instance");
            case ServerAction.Pause p -> new Plan("os_compute_api:os-pause-server:pause", "pause", Set.of(ACTIVE), "pausing", "pause_instance");
            case ServerAction.Unpause u -> new Plan("os_compute_api:os-pause-server:unpause", "unpause", Set.of(PAUSED), "unpausing", "unpause_instance");
            case ServerAction.Suspend s -> new Plan("os_compute_api:os-suspend-server:suspend", "suspend", Set.of(ACTIVE), "suspending", "suspend_instance");
            case ServerAction.Resume r -> new Plan("os_compute_api:os-suspend-server:resume", "resume", Set.of(SUSPENDED), "resuming", "resume_instance");
            case ServerAction.Lock l -> new Plan("os_compute_api:os-lock-server:lock", "lock", ANY_STATE, null, null);
            case ServerAction.Unlock u -> new Plan("os_compute_api:os-lock-server:unlock", "unlock", ANY_STATE, null, null);
            case ServerAction.Rebuild r -> new Plan("os_compute_api:servers:rebuild", "rebuild", Set.of(ACTIVE, STOPPED, ERROR), "rebuilding", "rebuild_instance");
            case ServerAction.Resize r -> new Plan("os_compute_api:servers:resize", "resize", Set.of(ACTIVE, STOPPED), "resize_prep", "resize_instance");
            case ServerAction.ConfirmResize c -> new Plan("os_compute_api:servers:confirm_resize", "confirmResize", Set.of(RESIZED), null, "confirm_resize");
            case ServerAction.RevertResize r -> new Plan("os_compute_api:servers:revert_resize", "revertResize", Set.of(RESIZED), "resize_reverting", "revert_resize");
            case ServerAction.CreateImage c -> new Plan("os_compute_api:servers:create_image", "createImage",
                    Set.of(ACTIVE, STOPPED, PAUSED, SUSPENDED), "image_snapshot", "snapshot_instance");
            case ServerAction.ForceDelete f -> new Plan("os_compute_api:os-deferred-delete:force", "forceDelete", Set.of(SOFT_DELETED), "deleting", "terminate_instance");
        };
    }

    /**
     * What an action answers with beyond its status: a new image's id; a rebuilt server's password
     * and the server as it was when the rebuild started (the agent may finish before the answer).
     */
    public record Result(String imageId, String adminPass, Instance server) {
        static final Result NONE = new Result(null, null, null);
    }

    /**
     * Runs an action the caller's policy already allowed on the server: checks its state and
     * lock, records the instance action, starts the task and hands the work to the agent.
     */
    public Result act(AuthContext caller, String userToken, Instance server, ServerAction action, String requestId) {
        Plan plan = plan(action);
        if (!(action instanceof ServerAction.Unlock)) {
            Servers.checkLock(caller, server);
        }
        if (!plan.vmStates().isEmpty() && (!plan.vmStates().contains(server.vmState()) || busy(server, action))) {
            boolean taskInTheWay = plan.vmStates().contains(server.vmState());
            throw ApiException.conflict("Cannot '%s' instance %s while it is in %s %s", plan.name(), server.id(),
                    taskInTheWay ? "task_state" : "vm_state", taskInTheWay ? server.taskState() : server.vmState());
        }
        Instant now = Instant.now();
        Map<String, Object> columns = new HashMap<>();
        ObjectNode args = Json.object();
        Result result = Result.NONE;
        switch (action) {
            case ServerAction.Lock lock -> {
                columns.put("locked", true);
                columns.put("locked_by", caller.isAdmin() && !server.projectId().equals(caller.projectId()) ? "admin" : "owner");
                columns.put("locked_reason", lock.reason());
            }
            case ServerAction.Unlock u -> {
                columns.put("locked", false);
                columns.put("locked_by", null);
                columns.put("locked_reason", null);
            }
            case ServerAction.Rebuild rebuild -> {
                JsonNode image = servers.checkedImage(userToken, rebuild.imageRef(), server.flavor());
                columns.put("image_ref", image.path("id").asText());
                if (rebuild.name() != null) {
                    columns.put("name", rebuild.name());
                }
                if (rebuild.metadata() != null) {
                    servers.checkMetadataCount(server.projectId(), rebuild.metadata().size());
                    columns.put("metadata", rebuild.metadata());
                }
                if (rebuild.description() != null) {
                    columns.put("description", rebuild.description());
                }
                args.set("image_properties", image);
                result = new Result(null, rebuild.adminPass() != null ? rebuild.adminPass() : Servers.randomText(12), null);
            }
            case ServerAction.Resize resize -> {
                Flavor target = resize.flavor();
                if (target.id().equals(server.flavor().id())) {
                    throw ApiException.badRequest("When resizing, instances must change flavor!");
                }
                if (target.disabled()) {
                    throw ApiException.badRequest("Flavor %s is disabled and cannot be used.", target.id());
                }
                servers.checkedImage(userToken, server.imageRef(), target);
                checkResizeQuota(server, target);
                args.set("flavor", Json.MAPPER.valueToTree(target));
            }
            case ServerAction.CreateImage create -> {
                ObjectNode image = snapshotRecord(userToken, server, create);
                JsonNode made = servers.images().create(userToken, image);
                args.put("image_id", made.path("id").asText());
                result = new Result(made.path("id").asText(), null, null);
            }
            case ServerAction.Start s -> { }
            case ServerAction.Stop s -> { }
            case ServerAction.Reboot r -> args.put("hard", r.hard());
            case ServerAction.Pause p -> { }
            case ServerAction.Unpause u -> { }
            case ServerAction.Suspend s -> { }
            case ServerAction.Resume r -> { }
            case ServerAction.ConfirmResize c -> { }
            case ServerAction.RevertResize r -> { }
            case ServerAction.ForceDelete f -> { }
        }
        if (plan.task() != null) {
            columns.put("task_state", plan.task());
        }
        List<String> expected = Arrays.asList((String) null);
        if (action instanceof ServerAction.Reboot) {
            expected = Arrays.asList(null, "rebooting", "reboot_pending", "reboot_started", "rebooting_hard",
                    "reboot_pending_hard", "reboot_started_hard");
        }
        if (!columns.isEmpty() && !servers.store().update(server.id(), expected, columns, now)) {
            throw ApiException.conflict("Cannot '%s' instance %s while it is in task_state %s", plan.name(), server.id(),
                    servers.store().get(server.id()).map(Instance::taskState).orElse("deleting"));
        }
        servers.actions().start(server.id(), plan.name(), requestId, caller.userId(), caller.projectId(), now);
        if (action instanceof ServerAction.Rebuild) {
            result = new Result(null, result.adminPass(), servers.store().get(server.id()).orElse(server));
        }
        if (plan.method() != null) {
            if (server.host() == null) {
                throw ApiException.conflict("Cannot '%s' instance %s: it is on no host.", plan.name(), server.id());
            }
            servers.castToHost(server, plan.method(), requestId, args);
        }
        return result;
    }

    /** A reboot may follow a reboot still under way; every other action needs the server idle. */
    private static boolean busy(Instance server, ServerAction action) {
        if (server.taskState() == null) {
            return false;
        }
        return !(action instanceof ServerAction.Reboot && server.taskState().startsWith("reboot"));
    }

    /** Growing a server takes quota for the difference, as Nova's resize check. */
    private void checkResizeQuota(Instance server, Flavor target) {
        int cores = target.vcpus() - server.flavor().vcpus();
        int ram = target.memoryMb() - server.flavor().memoryMb();
        if (cores <= 0 && ram <= 0) {
            return;
        }
        servers.store().jdbi().useTransaction(h -> {
            Quotas.lockProject(h, server.projectId());
            servers.quotas().checkServers(h, servers.store(), server.projectId(), 0, Math.max(0, cores), Math.max(0, ram));
        });
    }

    /** The image record of a snapshot, as Nova makes it: the server's image properties plus where it came from. */
    private ObjectNode snapshotRecord(String userToken, Instance server, ServerAction.CreateImage create) {
        ObjectNode image = Json.object().put("name", create.name());
        JsonNode base = servers.images().show(userToken, server.imageRef()).orElse(null);
        image.put("disk_format", base != null ? base.path("disk_format").asText("raw") : "raw");
        image.put("container_format", base != null ? base.path("container_format").asText("bare") : "bare");
        image.put("min_ram", base != null ? base.path("min_ram").asInt(0) : 0);
        image.put("min_disk", Math.max(server.flavor().rootGb(), base != null ? base.path("min_disk").asInt(0) : 0));
        image.put("image_type", "snapshot").put("instance_uuid", server.id()).put("base_image_ref", server.imageRef())
                .put("user_id", server.userId());
        create.metadata().forEach(image::put);
        return image;
    }

    public Flavors flavors() {
        return flavors;
    }
}
