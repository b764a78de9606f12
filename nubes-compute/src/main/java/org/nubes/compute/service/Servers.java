package org.nubes.compute.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.nubes.compute.ComputeConfig;
import org.nubes.compute.store.ActionStore;
import org.nubes.compute.store.Flavor;
import org.nubes.compute.store.Instance;
import org.nubes.compute.store.Vif;
import org.nubes.compute.store.InstanceStore;
import org.nubes.compute.store.Keypair;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.bus.Message;
import org.nubes.core.bus.MessageBus;
import org.nubes.core.client.ImageClient;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;

/**
 * Servers: create (checks, quota, the rows, then a request to the scheduler), list, show, update
 * and delete. The API never calls a driver: work on a host goes to its agent over the bus.
 */
public final class Servers {
    /** The topic of the scheduler, and the prefix of each compute host's topic. */
    public static final String SCHEDULER_TOPIC = "scheduler";
    public static final String COMPUTE_TOPIC = "compute.";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PASSWORD_CHARS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private final ComputeConfig config;
    private final InstanceStore instances;
    private final ActionStore actions;
    private final Flavors flavors;
    private final Keypairs keypairs;
    private final ServerNetworks serverNetworks;
    private final ImageClient images;
    private final Quotas quotas;
    private final Hosts hosts;
    private final MessageBus bus;

    public Servers(ComputeConfig config, InstanceStore instances, ActionStore actions, Flavors flavors, Keypairs keypairs,
            ImageClient images, ServerNetworks serverNetworks, Quotas quotas, Hosts hosts, MessageBus bus) {
        this.config = config;
        this.serverNetworks = serverNetworks;
        this.instances = instances;
        this.actions = actions;
        this.flavors = flavors;
        this.keypairs = keypairs;
        this.images = images;
        this.quotas = quotas;
        this.hosts = hosts;
        this.bus = bus;
    }

    /** What POST /servers asks for, parsed and shape-checked by the API. */
    public record CreateRequest(
            String name,
            String imageRef,
            String flavorRef,
            String keyName,
            String userData,
            Map<String, String> metadata,
            String availabilityZone,
            int minCount,
            int maxCount,
            List<String> tags,
            String description,
            String accessIpv4,
            String accessIpv6,
            String adminPass,
            boolean configDrive,
            String group,
            List<String> differentHost,
            List<String> sameHost,
            RequestedNetworks networks,
            List<String> securityGroups) {
        /** A create that names no security group asks for the project's "default", as in Nova. */
        public CreateRequest {
            securityGroups = securityGroups.isEmpty() ? List.of("default") : List.copyOf(securityGroups);
        }
    }

    /** The servers made, the password of the first and the reservation id they share. */
    public record Created(List<Instance> servers, String adminPass, String reservationId) {}

    public Created create(AuthContext caller, String userToken, CreateRequest request, String requestId) {
        Flavor flavor = flavors.find(request.flavorRef(), caller)
                .orElseThrow(() -> ApiException.badRequest("Flavor %s could not be found.", request.flavorRef()));
        if (flavor.disabled()) {
            throw ApiException.badRequest("Flavor %s is disabled and cannot be used.", flavor.id());
        }
        JsonNode image = checkedImage(userToken, request.imageRef(), flavor);
        String keyData = request.keyName() == null ? null : keypairs.find(caller.userId(), request.keyName())
                .map(Keypair::publicKey)
                .orElseThrow(() -> ApiException.badRequest("Invalid key_name provided."));
        ForcedPlacement placement = placement(caller, request.availabilityZone());
        RequestedNetworks networks = serverNetworks.resolve(userToken, caller.projectId(), request.networks(), request.maxCount());
        List<Vif.SecurityGroup> groups = networks instanceof RequestedNetworks.None ? List.of()
                : serverNetworks.securityGroups(userToken, caller.projectId(), request.securityGroups());
        String group = request.group();
        if (group != null) {
            ServerGroups.requireVisible(instances.jdbi(), group, caller);
        }

        String reservationId = "r-" + randomText(8).toLowerCase(Locale.ROOT);
        String adminPass = request.adminPass() != null ? request.adminPass() : randomText(12);
        Instant now = Instant.now();
        List<Instance> made = instances.jdbi().inTransaction(h -> {
            Quotas.lockProject(h, caller.projectId());
            Map<String, Integer> limits = quotas.limits(h, caller.projectId());
            checkMetadataCount(limits, request.metadata().size());
            int count = Math.min(request.maxCount(), quotas.fitting(h, instances, caller.projectId(), limits,
                    request.maxCount(), flavor.vcpus(), flavor.memoryMb()));
            if (count < request.minCount()) {
                quotas.checkServers(h, instances, caller.projectId(), request.maxCount(),
                        request.maxCount() * flavor.vcpus(), request.maxCount() * flavor.memoryMb());
            }
            if (group != null) {
                ServerGroups.checkMemberQuota(h, group, count, limits.get("server_group_members"));
            }
            List<Instance> servers = new ArrayList<>();
            for (int n = 0; n < count; n++) {
                String name = count > 1 ? request.name() + "-" + (n + 1) : request.name();
                Instance server = new Instance(UUID.randomUUID().toString(), name, caller.projectId(), caller.userId(),
                        image.path("id").asText(), flavor, ServerStatus.BUILDING, "scheduling", 0, null, null,
                        placement.zone(), request.keyName(), keyData, request.userData(), request.metadata(),
                        request.tags(), request.description(), Instance.Lock.NONE, request.accessIpv4(),
                        request.accessIpv6(), request.configDrive() ? "True" : "", hostname(name), n, reservationId, 0,
                        null, null, null, null, now, now, null, false, List.of());
                instances.insert(h, server);
                if (group != null) {
                    ServerGroups.addMember(h, group, server.id());
                }
                actions.start(h, server.id(), "create", requestId, caller.userId(), caller.projectId(), now);
                servers.add(server);
            }
            return servers;
        });
        ObjectNode args = Json.object().put("request_id", requestId);
        made.forEach(s -> args.withArray("instance_ids").add(s.id()));
        args.put("availability_zone", placement.zone()).put("forced_host", placement.host()).put("group", group);
        args.set("image_properties", image);
        args.set("requested_networks", networks.toJson());
        args.set("security_groups", Json.MAPPER.valueToTree(groups));
        request.differentHost().forEach(id -> args.withArray("different_host").add(id));
        request.sameHost().forEach(id -> args.withArray("same_host").add(id));
        bus.cast(SCHEDULER_TOPIC, new Message("select_destinations", args));
        return new Created(made, adminPass, reservationId);
    }

    /**
     * A network-changed event from the networking service (os-server-external-events): the
     * server's interfaces read again. False when there is no such server.
     */
    public boolean networkChanged(String serverId) {
        Optional<Instance> server = instances.get(serverId);
        if (server.isEmpty()) {
            return false;
        }
        instances.update(serverId, null, Map.of("network_info", serverNetworks.withFloatingIps(server.get().networkInfo())),
                Instant.now());
        return true;
    }

    /** Interfaces attach and detach only while the server is in one of these states, with no task. */
    private static final Set<String> INTERFACE_STATES = Set.of(ServerStatus.ACTIVE, ServerStatus.STOPPED, ServerStatus.PAUSED,
            ServerStatus.SUSPENDED);

    /**
     * os-interface attach: a port on the network (with the fixed IP) or the given port, made and
     * connected by the server's host. 409 when the server is locked, or not settled in a state that
     * has a host.
     */
    public Vif attachInterface(AuthContext caller, String userToken, Instance server, RequestedNetworks.Requested requested) {
        checkSettled(caller, server, "attach_interface");
        RequestedNetworks checked = serverNetworks.resolve(userToken, server.projectId(), new RequestedNetworks.Listed(List.of(requested)), 1);
        JsonNode vif = AgentCalls.call(bus, server.host(), "attach_interface",
                Json.object().put("instance_id", server.id()).set("requested_networks", checked.toJson()));
        return Json.convert(vif, Vif.class);
    }

    /** os-interface detach: 404 for a port that is not the server's. */
    public void detachInterface(AuthContext caller, Instance server, String portId) {
        checkSettled(caller, server, "detach_interface");
        if (server.networkInfo().stream().noneMatch(v -> v.portId().equals(portId))) {
            throw ApiException.notFound("Port %s is not attached", portId);
        }
        AgentCalls.call(bus, server.host(), "detach_interface", Json.object().put("instance_id", server.id()).put("port_id", portId));
    }

    private static void checkSettled(AuthContext caller, Instance server, String what) {
        checkLock(caller, server);
        if (server.host() == null || server.taskState() != null || !INTERFACE_STATES.contains(server.vmState())) {
            throw ApiException.conflict("Cannot '%s' instance %s while it is in vm_state %s", what, server.id(), server.vmState());
        }
    }

    /** Whether a server of that id exists (in any project). */
    public boolean exists(String serverId) {
        return instances.get(serverId).isPresent();
    }

    /** addSecurityGroup and removeSecurityGroup: the group on all the server's ports, or on none. */
    public void changeSecurityGroup(String userToken, Instance server, String name, boolean add) {
        List<Vif> vifs = serverNetworks.changeSecurityGroup(userToken, server, name, add);
        instances.update(server.id(), null, Map.of("network_info", vifs), Instant.now());
    }

    /** The image if the user may boot it with the flavor: active, small enough. */
    JsonNode checkedImage(String userToken, String imageRef, Flavor flavor) {
        String id = imageRef.contains("/") ? imageRef.substring(imageRef.lastIndexOf('/') + 1) : imageRef;
        JsonNode image = images.show(userToken, id)
                .orElseThrow(() -> ApiException.badRequest("Image %s could not be found.", id));
        if (!"active".equals(image.path("status").asText())) {
            throw ApiException.badRequest("Image %s is not active.", id);
        }
        if (image.path("min_ram").asLong(0) > flavor.memoryMb()) {
            throw ApiException.badRequest("Flavor's memory is too small for requested image.");
        }
        long rootBytes = flavor.rootGb() * (1L << 30);
        if (flavor.rootGb() > 0 && (image.path("min_disk").asLong(0) > flavor.rootGb() || image.path("size").asLong(0) > rootBytes)) {
            throw ApiException.badRequest("Flavor's disk is too small for requested image.");
        }
        return image;
    }

    void checkMetadataCount(String projectId, int items) {
        checkMetadataCount(quotas.limits(projectId), items);
    }

    private static void checkMetadataCount(Map<String, Integer> limits, int items) {
        int limit = limits.get("metadata_items");
        if (limit >= 0 && items > limit) {
            throw ApiException.forbidden("Quota exceeded for metadata_items: Requested %d, but already used 0 of %d metadata_items",
                    items, limit);
        }
    }

    /** A requested zone, and a host only an admin may force with "zone:host". */
    private record ForcedPlacement(String zone, String host) {}

    private ForcedPlacement placement(AuthContext caller, String requested) {
        if (requested == null || requested.isEmpty()) {
            return new ForcedPlacement(null, null);
        }
        String zone = requested;
        String host = null;
        int colon = requested.indexOf(':');
        if (colon >= 0) {
            zone = requested.substring(0, colon);
            host = requested.substring(colon + 1);
            if (host.contains(":")) {
                host = host.substring(0, host.indexOf(':'));
            }
            if (!caller.isAdmin()) {
                throw ApiException.forbidden("Policy doesn't allow os_compute_api:servers:create:forced_host to be performed.");
            }
        }
        if (!zone.isEmpty() && !hosts.zones().contains(zone)) {
            throw ApiException.badRequest("The requested availability zone is not available");
        }
        return new ForcedPlacement(zone.isEmpty() ? null : zone, host == null || host.isEmpty() ? null : host);
    }

    /** The server if the caller's project owns it (or the caller is an admin); 404 otherwise, as Nova. */
    public Instance get(AuthContext caller, String id) {
        return instances.get(id).filter(i -> visible(caller, i))
                .orElseThrow(() -> ApiException.notFound("Instance %s could not be found.", id));
    }

    /** Like {@link #get}, deleted servers included (instance actions of deleted servers). */
    public Instance getIncludingDeleted(AuthContext caller, String id) {
        return instances.getIncludingDeleted(id).filter(i -> visible(caller, i))
                .orElseThrow(() -> ApiException.notFound("Instance %s could not be found.", id));
    }

    private static boolean visible(AuthContext caller, Instance i) {
        return caller.isAdmin() || i.projectId().equals(caller.projectId());
    }

    /** A list request after the API parsed it: the store's filter plus the name regex. */
    public record ListRequest(InstanceStore.Filter filter, String nameRegex, String ipRegex, String marker, int limit) {}

    public List<Instance> list(ListRequest request) {
        if (request.marker() != null && !instances.exists(request.marker(), request.filter().includeDeleted())) {
            throw ApiException.badRequest("marker [%s] not found", request.marker());
        }
        Pattern name = regex(request.nameRegex());
        if (name == null) {
            return instances.list(request.filter(), request.marker(), request.limit());
        }
        // The regex runs here, so the store is asked for pages until enough servers match.
        List<Instance> matched = new ArrayList<>();
        String marker = request.marker();
        int batch = Math.max(request.limit(), 1000);
        while (matched.size() < request.limit()) {
            List<Instance> page = instances.list(request.filter(), marker, batch);
            for (Instance i : page) {
                if (name.matcher(i.name()).find() && matched.size() < request.limit()) {
                    matched.add(i);
                }
            }
            if (page.size() < batch) {
                break;
            }
            marker = page.getLast().id();
        }
        return matched;
    }

    private static Pattern regex(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw ApiException.badRequest("Invalid regular expression in the name filter: %s", text);
        }
    }

    /** PUT /servers/{id}: name, description, access addresses (null: unchanged). */
    public Instance update(Instance server, String name, String description, boolean descriptionGiven,
            String accessIpv4, String accessIpv6) {
        Map<String, Object> columns = new HashMap<>();
        if (name != null) {
            columns.put("name", name);
        }
        if (descriptionGiven) {
            columns.put("description", description);
        }
        if (accessIpv4 != null) {
            columns.put("access_ipv4", accessIpv4);
        }
        if (accessIpv6 != null) {
            columns.put("access_ipv6", accessIpv6);
        }
        if (!columns.isEmpty()) {
            instances.update(server.id(), null, columns, Instant.now());
        }
        return instances.get(server.id()).orElseThrow(() -> ApiException.notFound("Instance %s could not be found.", server.id()));
    }

    /**
     * DELETE /servers/{id}. A server on no host (never scheduled) or on a host whose agent is down
     * is deleted here at once, as Nova's local delete; otherwise its agent destroys it and then
     * marks it deleted.
     */
    public void delete(AuthContext caller, Instance server, String requestId) {
        checkLock(caller, server);
        Instant now = Instant.now();
        actions.start(server.id(), "delete", requestId, caller.userId(), caller.projectId(), now);
        if (server.host() == null || !hosts.isUp(server.host())) {
            instances.markDeleted(server.id(), now);
            return;
        }
        if ("deleting".equals(server.taskState())) {
            return;
        }
        instances.update(server.id(), null, Map.of("task_state", "deleting"), now);
        castToHost(server, "terminate_instance", requestId, Json.object());
    }

    /** Metadata and tags may change only while the server is in one of these states, as in Nova. */
    private static final Set<String> CHANGEABLE_STATES = Set.of(ServerStatus.ACTIVE, ServerStatus.PAUSED,
            ServerStatus.SUSPENDED, ServerStatus.STOPPED, ServerStatus.BUILDING);

    /** Replaces a server's metadata (within the metadata_items quota). */
    public void setMetadata(AuthContext caller, Instance server, Map<String, String> metadata, String action) {
        checkChangeable(caller, server, action);
        checkMetadataCount(server.projectId(), metadata.size());
        instances.update(server.id(), null, Map.of("metadata", metadata), Instant.now());
    }

    /** Replaces a server's tags. */
    public void setTags(AuthContext caller, Instance server, List<String> tags, String action) {
        checkChangeable(caller, server, action);
        instances.replaceTags(server.id(), tags, Instant.now());
    }

    private static void checkChangeable(AuthContext caller, Instance server, String action) {
        checkLock(caller, server);
        if (!CHANGEABLE_STATES.contains(server.vmState())) {
            throw ApiException.conflict("Cannot '%s' instance %s while it is in vm_state %s", action, server.id(), server.vmState());
        }
    }

    /** 409 when the server is locked and the caller is not an admin, as Nova's check_instance_lock. */
    static void checkLock(AuthContext caller, Instance server) {
        if (server.lock().locked() && !caller.isAdmin()) {
            throw ApiException.conflict("Instance %s is locked", server.id());
        }
    }

    void castToHost(Instance server, String method, String requestId, ObjectNode args) {
        args.put("instance_id", server.id()).put("request_id", requestId);
        bus.cast(COMPUTE_TOPIC + server.host(), new Message(method, args));
    }

    /** Nova's hostname from a display name: letters, digits and hyphens, at most 63. */
    static String hostname(String name) {
        String cleaned = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-").replaceAll("^[.-]+|[.-]+$", "");
        if (cleaned.length() > 63) {
            cleaned = cleaned.substring(0, 63).replaceAll("[.-]+$", "");
        }
        return cleaned.isEmpty() ? "server" : cleaned;
    }

    static String randomText(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int n = 0; n < length; n++) {
            text.append(PASSWORD_CHARS.charAt(RANDOM.nextInt(PASSWORD_CHARS.length())));
        }
        return text.toString();
    }

    public InstanceStore store() {
        return instances;
    }

    public ActionStore actions() {
        return actions;
    }

    public Hosts hosts() {
        return hosts;
    }

    public MessageBus bus() {
        return bus;
    }

    public ImageClient images() {
        return images;
    }

    public Quotas quotas() {
        return quotas;
    }

    public Set<String> zones() {
        return hosts.zones();
    }
}
