package org.nubes.compute.agent;

import static org.nubes.compute.service.ServerStatus.ACTIVE;
import static org.nubes.compute.service.ServerStatus.ERROR;
import static org.nubes.compute.service.ServerStatus.PAUSED;
import static org.nubes.compute.service.ServerStatus.RESIZED;
import static org.nubes.compute.service.ServerStatus.STOPPED;
import static org.nubes.compute.service.ServerStatus.SUSPENDED;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.nubes.compute.ComputeConfig;
import org.nubes.compute.driver.DriverException;
import org.nubes.compute.driver.VirtDriver;
import org.nubes.compute.driver.VirtDriver.PowerState;
import org.nubes.compute.service.Hosts;
import org.nubes.compute.service.Servers;
import org.nubes.compute.store.ActionStore;
import org.nubes.compute.store.Flavor;
import org.nubes.compute.store.Instance;
import org.nubes.compute.store.InstanceStore;
import org.nubes.core.bus.Message;
import org.nubes.core.bus.MessageBus;
import org.nubes.compute.service.RequestedNetworks;
import org.nubes.compute.service.ServerNetworks;
import org.nubes.compute.store.Vif;
import org.nubes.core.client.ImageClient;
import org.nubes.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs on a compute host: it takes the work for its host from the bus, drives the virt
 * driver, and writes the outcome (states, faults, instance action events) back. Periodically it
 * reports what its host has and brings the database in line with what the hypervisor shows (a
 * server that died outside the cloud becomes SHUTOFF). One operation per server at a time.
 */
public final class ComputeAgent {
    private static final Logger LOG = LoggerFactory.getLogger(ComputeAgent.class);

    private final ComputeConfig config;
    private final VirtDriver driver;
    private final Hosts hosts;
    private final InstanceStore instances;
    private final ActionStore actions;
    private final ImageClient images;
    private final ServerNetworks serverNetworks;
    private final MessageBus bus;
    private final String host;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private ScheduledExecutorService periodic;
    private MessageBus.Subscription subscription;

    public ComputeAgent(ComputeConfig config, VirtDriver driver, Hosts hosts, InstanceStore instances, ActionStore actions,
            ImageClient images, ServerNetworks serverNetworks, MessageBus bus) {
        this.config = config;
        this.serverNetworks = serverNetworks;
        this.driver = driver;
        this.hosts = hosts;
        this.instances = instances;
        this.actions = actions;
        this.images = images;
        this.bus = bus;
        this.host = driver.host().hypervisorHostname();
    }

    public String host() {
        return host;
    }

    public VirtDriver driver() {
        return driver;
    }

    /** Reports at once (so the scheduler knows the host), then every report interval. */
    public void start() {
        report();
        syncPowerStates();
        subscription = bus.subscribe(Servers.COMPUTE_TOPIC + host, this::handle);
        periodic = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("compute-agent-" + host).factory());
        int interval = Math.max(1, config.reportIntervalSeconds());
        periodic.scheduleWithFixedDelay(this::periodicTasks, interval, interval, TimeUnit.SECONDS);
    }

    public void stop() {
        if (subscription != null) {
            subscription.close();
        }
        if (periodic != null) {
            periodic.shutdownNow();
        }
    }

    private void periodicTasks() {
        try {
            report();
            syncPowerStates();
        } catch (RuntimeException e) {
            LOG.warn("periodic tasks of compute host {} failed: {}", host, e.toString());
        }
    }

    public void report() {
        VirtDriver.HostInfo info = driver.host();
        hosts.report(host, config.defaultAvailabilityZone(), new Hosts.Node(null, 0, info.hypervisorHostname(),
                info.hypervisorType(), info.hypervisorVersion(), info.hostIp(), info.vcpus(), info.memoryMb(),
                info.diskGb(), info.cpuInfoJson()));
    }

    /**
     * Nova's power state sync: records what the hypervisor shows, and stops in the database a
     * server that is no longer running although it should be. Servers with a task under way are
     * left to that task.
     */
    public void syncPowerStates() {
        for (Instance server : instances.onHost(host)) {
            if (server.taskState() != null) {
                continue;
            }
            withLock(server.id(), () -> {
                PowerState seen = driver.powerState(server.id());
                Map<String, Object> columns = new HashMap<>();
                if (seen.code != server.powerState()) {
                    columns.put("power_state", seen.code);
                }
                if (ACTIVE.equals(server.vmState()) && (seen == PowerState.SHUTDOWN || seen == PowerState.CRASHED
                        || seen == PowerState.NOSTATE)) {
                    columns.put("vm_state", STOPPED);
                }
                if (!columns.isEmpty()) {
                    instances.update(server.id(), Arrays.asList((String) null), columns, Instant.now());
                    LOG.info("server {} on {}: power state {} seen, database brought in line", server.id(), host, seen);
                }
            });
        }
    }

    private JsonNode handle(Message message) {
        JsonNode args = message.args();
        String id = args.path("instance_id").asText();
        String requestId = args.path("request_id").asText();
        return switch (message.method()) {
            case "get_console_output" -> withLock(id, () -> consoleOutput(id, args.path("length").asInt(-1)));
            case "get_diagnostics" -> withLock(id, () -> diagnostics(id));
            case "get_host_uptime" -> Json.object().put("uptime", HostUptime.line());
            case "attach_interface" -> withLock(id, () -> attachInterface(id, RequestedNetworks.fromJson(args.path("requested_networks"))));
            case "detach_interface" -> withLock(id, () -> detachInterface(id, args.path("port_id").asText()));
            default -> {
                withLock(id, () -> run(message.method(), id, requestId, args));
                yield null;
            }
        };
    }

    private void run(String method, String id, String requestId, JsonNode args) {
        Optional<Instance> found = instances.get(id);
        if (found.isEmpty()) {
            LOG.info("{} for server {} dropped: it is deleted", method, id);
            return;
        }
        Instance server = found.get();
        long event = actions.startEvent(id, requestId, "compute_" + method, host, Instant.now());
        try {
            switch (method) {
                case "build_and_run_instance" -> build(server, args.path("image_properties"),
                        RequestedNetworks.fromJson(args.path("requested_networks")),
                        List.of(Json.convert(args.path("security_groups").isArray() ? args.path("security_groups")
                                : Json.array(), Vif.SecurityGroup[].class)));
                case "terminate_instance" -> {
                    driver.destroy(id);
                    serverNetworks.release(server.networkInfo());
                    instances.markDeleted(id, Instant.now());
                }
                case "stop_instance" -> {
                    driver.powerOff(id);
                    done(server, STOPPED, PowerState.SHUTDOWN);
                }
                case "start_instance" -> {
                    driver.powerOn(id);
                    done(server, ACTIVE, PowerState.RUNNING);
                }
                case "reboot_instance" -> {
                    driver.reboot(id, args.path("hard").asBoolean(false));
                    done(server, ACTIVE, PowerState.RUNNING);
                }
                case "pause_instance" -> {
                    driver.pause(id);
                    done(server, PAUSED, PowerState.PAUSED);
                }
                case "unpause_instance" -> {
                    driver.unpause(id);
                    done(server, ACTIVE, PowerState.RUNNING);
                }
                case "suspend_instance" -> {
                    driver.suspend(id);
                    done(server, SUSPENDED, PowerState.SUSPENDED);
                }
                case "resume_instance" -> {
                    driver.resume(id);
                    done(server, ACTIVE, PowerState.RUNNING);
                }
                case "rebuild_instance" -> rebuild(server, args.path("image_properties"));
                case "resize_instance" -> resize(server, Json.convert(args.path("flavor"), Flavor.class));
                case "confirm_resize" -> finishResize(server, server.flavor(), null);
                case "revert_resize" -> {
                    Flavor old = server.oldFlavor() != null ? server.oldFlavor() : server.flavor();
                    driver.resize(id, limits(old));
                    finishResize(server, old, null);
                }
                case "snapshot_instance" -> snapshot(server, args.path("image_id").asText());
                default -> throw new DriverException("unknown compute method " + method);
            }
            actions.finishEvent(event, true, null, Instant.now());
        } catch (DriverException | RuntimeException e) {
            LOG.warn("{} of server {} on {} failed: {}", method, id, host, e.getMessage());
            actions.finishEvent(event, false, e.toString(), Instant.now());
            failed(method, server, e);
        }
    }

    private void build(Instance server, JsonNode image, RequestedNetworks networks, List<Vif.SecurityGroup> groups)
            throws DriverException {
        if (!instances.update(server.id(), Arrays.asList("scheduling"), Map.of("task_state", "spawning"), Instant.now())) {
            return;
        }
        List<Vif> vifs = serverNetworks.allocate(server, host, networks, groups);
        try {
            instances.update(server.id(), Arrays.asList("spawning"), Map.of("network_info", vifs), Instant.now());
            driver.spawn(guest(server, image, vifs));
        } catch (DriverException | RuntimeException e) {
            destroyQuietly(server.id());
            serverNetworks.release(vifs);
            instances.update(server.id(), null, Map.of("network_info", List.of()), Instant.now());
            throw e;
        }
        Map<String, Object> columns = new HashMap<>();
        columns.put("vm_state", ACTIVE);
        columns.put("task_state", null);
        columns.put("power_state", PowerState.RUNNING.code);
        columns.put("launched_at", Instant.now());
        if (!instances.update(server.id(), Arrays.asList("spawning"), columns, Instant.now())) {
            // Deleted while it was being built: nothing of it may stay on the host or in the network.
            destroyQuietly(server.id());
            serverNetworks.release(vifs);
        }
    }

    /**
     * What the driver needs. The image record comes with the request, as the API read it; when it
     * does not, it is read from the image service as this service. Its data is read from there
     * too, only when the driver asks for it.
     */
    private VirtDriver.Guest guest(Instance server, JsonNode given, List<Vif> vifs) throws DriverException {
        String imageId = server.imageRef();
        JsonNode image = given != null && imageId.equals(given.path("id").asText()) ? given : images.show(imageId)
                .orElseThrow(() -> new DriverException("Image " + imageId + " could not be found in the image service."));
        Map<String, String> properties = new HashMap<>();
        image.properties().forEach(field -> {
            if (field.getValue().isValueNode() && !field.getValue().isNull()) {
                properties.put(field.getKey(), field.getValue().asText());
            }
        });
        return new VirtDriver.Guest(server.id(), server.name(), server.hostname(), limits(server.flavor()), imageId,
                properties, () -> images.download(imageId), server.userData(), server.metadata(), server.keyData(),
                vifs.stream().map(Vif::portId).toList());
    }

    private void rebuild(Instance server, JsonNode image) throws DriverException {
        instances.update(server.id(), Arrays.asList("rebuilding"), Map.of("task_state", "rebuild_spawning"), Instant.now());
        boolean wasStopped = STOPPED.equals(server.vmState());
        driver.destroy(server.id());
        driver.spawn(guest(server, image, server.networkInfo()));
        if (wasStopped) {
            driver.powerOff(server.id());
        }
        Map<String, Object> columns = new HashMap<>();
        columns.put("vm_state", wasStopped ? STOPPED : ACTIVE);
        columns.put("task_state", null);
        columns.put("power_state", (wasStopped ? PowerState.SHUTDOWN : PowerState.RUNNING).code);
        columns.put("launched_at", Instant.now());
        instances.update(server.id(), Arrays.asList("rebuild_spawning"), columns, Instant.now());
    }

    private void resize(Instance server, Flavor target) throws DriverException {
        for (String step : List.of("resize_migrating", "resize_migrated", "resize_finish")) {
            instances.update(server.id(), null, Map.of("task_state", step), Instant.now());
        }
        driver.resize(server.id(), limits(target));
        Map<String, Object> columns = flavorColumns(target);
        columns.put("old_flavor", server.flavor());
        columns.put("vm_state", RESIZED);
        columns.put("task_state", null);
        instances.update(server.id(), Arrays.asList("resize_finish"), columns, Instant.now());
    }

    private void finishResize(Instance server, Flavor flavor, Flavor old) {
        Map<String, Object> columns = flavorColumns(flavor);
        columns.put("old_flavor", old);
        boolean running = driver.powerState(server.id()) == PowerState.RUNNING;
        columns.put("vm_state", running ? ACTIVE : STOPPED);
        columns.put("task_state", null);
        instances.update(server.id(), null, columns, Instant.now());
    }

    private static Map<String, Object> flavorColumns(Flavor flavor) {
        Map<String, Object> columns = new HashMap<>();
        columns.put("flavor", flavor);
        columns.put("flavor_id", flavor.id());
        columns.put("vcpus", flavor.vcpus());
        columns.put("memory_mb", flavor.memoryMb());
        columns.put("root_gb", flavor.rootGb());
        return columns;
    }

    private void snapshot(Instance server, String imageId) throws DriverException {
        instances.update(server.id(), null, Map.of("task_state", "image_pending_upload"), Instant.now());
        try {
            driver.snapshot(server.id(), data -> {
                instances.update(server.id(), null, Map.of("task_state", "image_uploading"), Instant.now());
                images.upload(imageId, data);
            });
        } catch (DriverException | RuntimeException e) {
            try {
                images.delete(imageId);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        Map<String, Object> columns = new HashMap<>();
        columns.put("task_state", null);
        instances.update(server.id(), null, columns, Instant.now());
    }

    /** The task ends in the state the driver reached. */
    private void done(Instance server, String vmState, PowerState power) {
        Map<String, Object> columns = new HashMap<>();
        columns.put("vm_state", vmState);
        columns.put("task_state", null);
        columns.put("power_state", power.code);
        instances.update(server.id(), null, columns, Instant.now());
    }

    /**
     * A build that fails leaves the server in ERROR with the fault and holding no quota; any other
     * failed task is rolled back (task cleared, fault recorded) and the server keeps its state, as
     * Nova's reverts_task_state does.
     */
    private void failed(String method, Instance server, Exception e) {
        Map<String, Object> columns = new HashMap<>();
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        columns.put("task_state", null);
        columns.put("fault", new Instance.Fault(500, message, e.toString(), Instant.now()));
        if ("build_and_run_instance".equals(method) || "rebuild_instance".equals(method)) {
            columns.put("vm_state", ERROR);
            columns.put("power_state", driver.powerState(server.id()).code);
        }
        instances.update(server.id(), null, columns, Instant.now());
    }

    private JsonNode consoleOutput(String id, int length) {
        try {
            return Json.object().put("output", driver.consoleOutput(id, length));
        } catch (DriverException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private JsonNode diagnostics(String id) {
        try {
            return Json.MAPPER.valueToTree(driver.diagnostics(id));
        } catch (DriverException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * os-interface attach: the port made (or bound) for the server, connected by the driver, and
     * kept in the server's interfaces; the new interface as the answer. On a failure nothing stays.
     */
    private JsonNode attachInterface(String id, RequestedNetworks requested) {
        Instance server = instances.get(id).orElseThrow(() -> new IllegalStateException("Instance " + id + " could not be found."));
        List<Vif.SecurityGroup> groups = server.networkInfo().isEmpty() ? List.of() : server.networkInfo().getFirst().securityGroups();
        List<Vif> added = serverNetworks.allocate(server, host, requested, groups);
        try {
            for (Vif vif : added) {
                driver.attachInterface(id, vif.portId());
            }
        } catch (DriverException | RuntimeException e) {
            added.forEach(vif -> detachQuietly(id, vif.portId()));
            serverNetworks.release(added);
            throw new IllegalStateException("Attaching the interface failed: " + e.getMessage(), e);
        }
        List<Vif> all = new ArrayList<>(server.networkInfo());
        all.addAll(added);
        instances.update(id, null, Map.of("network_info", all), Instant.now());
        return Json.MAPPER.valueToTree(added.getFirst());
    }

    /** os-interface detach: the port taken from the server and released (deleted when it was made for it). */
    private JsonNode detachInterface(String id, String portId) {
        Instance server = instances.get(id).orElseThrow(() -> new IllegalStateException("Instance " + id + " could not be found."));
        List<Vif> kept = new ArrayList<>(server.networkInfo());
        List<Vif> gone = kept.stream().filter(v -> v.portId().equals(portId)).toList();
        kept.removeAll(gone);
        detachQuietly(id, portId);
        serverNetworks.release(gone);
        instances.update(id, null, Map.of("network_info", kept), Instant.now());
        return Json.object();
    }

    private void detachQuietly(String id, String portId) {
        try {
            driver.detachInterface(id, portId);
        } catch (DriverException | RuntimeException e) {
            LOG.warn("detaching port {} from server {} failed: {}", portId, id, e.getMessage());
        }
    }

    private void destroyQuietly(String id) {
        try {
            driver.destroy(id);
        } catch (DriverException | RuntimeException e) {
            LOG.warn("cleanup of server {} on {} failed: {}", id, host, e.getMessage());
        }
    }

    private static VirtDriver.Limits limits(Flavor flavor) {
        return new VirtDriver.Limits(flavor.vcpus(), flavor.memoryMb(), flavor.rootGb());
    }

    private <T> T withLock(String id, java.util.function.Supplier<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(id, k -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    private void withLock(String id, Runnable work) {
        withLock(id, () -> {
            work.run();
            return null;
        });
    }
}
