package org.nubes.compute.api;

import static org.nubes.core.auth.Access.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nubes.compute.service.RequestedNetworks;
import org.nubes.compute.service.ServerStatus;
import org.nubes.compute.service.Servers;
import org.nubes.compute.store.Instance;
import org.nubes.compute.store.InstanceStore;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Microversion;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/** /servers: create, list, show, update, delete. Actions, metadata and tags have their own classes. */
public final class ServerApi {
    static final int MAX_LIMIT = 1000;

    private static final Set<String> CREATE_KEYS = Set.of("name", "imageRef", "flavorRef", "networks", "adminPass",
            "metadata", "availability_zone", "key_name", "user_data", "min_count", "max_count", "return_reservation_id",
            "config_drive", "accessIPv4", "accessIPv6", "security_groups", "OS-DCF:diskConfig", "personality",
            "block_device_mapping", "block_device_mapping_v2");

    private final Servers servers;

    public ServerApi(Servers servers) {
        this.servers = servers;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/servers", rule("os_compute_api:servers:index"), ctx -> list(ctx, false));
        routes.get("/v2.1/servers/detail", rule("os_compute_api:servers:detail"), ctx -> list(ctx, true));
        routes.post("/v2.1/servers", rule("os_compute_api:servers:create"), this::create);
        routes.get("/v2.1/servers/{id}", rule("os_compute_api:servers:show"), this::show);
        routes.put("/v2.1/servers/{id}", rule("os_compute_api:servers:update"), this::update);
        routes.delete("/v2.1/servers/{id}", rule("os_compute_api:servers:delete"), this::delete);
    }

    /** The server if the caller may see it, with the rule enforced against its project. */
    static Instance server(Context ctx, Servers servers, String rule) {
        Instance server = servers.get(Http.caller(ctx), ctx.pathParam("id"));
        Http.enforce(ctx, rule, Target.of("project_id", server.projectId()));
        return server;
    }

    static ServerView.Viewer viewer(Context ctx, Servers servers) {
        AuthContext caller = Http.caller(ctx);
        boolean admin = Http.allows(ctx, "os_compute_api:os-extended-server-attributes", Target.NONE);
        boolean hostStatus = Http.allows(ctx, "os_compute_api:servers:show:host_status", Target.NONE);
        return new ServerView.Viewer(Http.baseUrl(ctx), Http.microversion(ctx), admin && caller.isAdmin(), hostStatus,
                hostStatus ? hostStatuses(servers) : host -> "");
    }

    /** Every host's status, read once per request however many servers it shows. */
    private static ServerView.HostStatus hostStatuses(Servers servers) {
        Map<String, String> statuses = new java.util.HashMap<>();
        java.util.function.Supplier<Map<String, String>> load = () -> {
            if (statuses.isEmpty()) {
                for (var h : servers.hosts().all()) {
                    statuses.put(h.host(), h.forcedDown() || !servers.hosts().isUp(h) ? "DOWN"
                            : h.disabled() ? "MAINTENANCE" : "UP");
                }
            }
            return statuses;
        };
        return host -> load.get().getOrDefault(host, "UNKNOWN");
    }

    private void show(Context ctx) {
        Instance server = server(ctx, servers, "os_compute_api:servers:show");
        Http.json(ctx, Json.object().set("server", ServerView.detail(server, viewer(ctx, servers))));
    }

    private void create(Context ctx) {
        Microversion v = Http.microversion(ctx);
        ObjectNode body = Http.jsonBody(ctx);
        Input.only(body, Set.of("server", "os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"));
        ObjectNode server = Input.object(body, "server");
        Set<String> allowed = new HashSet<>(CREATE_KEYS);
        if (v.atLeast(2, 19)) {
            allowed.add("description");
        }
        if (v.atLeast(2, 52)) {
            allowed.add("tags");
        }
        Input.only(server, allowed);
        if (server.has("block_device_mapping") || server.has("block_device_mapping_v2")) {
            throw ApiException.badRequest("Booting from volume is not available: this cloud has no block storage service yet.");
        }
        String name = Input.name(server, "name", true);
        String imageRef = Input.string(server, "imageRef", 0, 2048, false);
        if (imageRef == null || imageRef.isEmpty()) {
            throw ApiException.badRequest("Invalid input for field/attribute imageRef. Value: None. An image is needed to boot a server here.");
        }
        String flavorRef = Input.reference(server, "flavorRef");
        if (flavorRef.contains("/")) {
            flavorRef = flavorRef.substring(flavorRef.lastIndexOf('/') + 1);
        }
        RequestedNetworks networks = networks(server, v);
        String userData = Input.string(server, "user_data", 0, 65535, false);
        if (userData != null) {
            try {
                Base64.getMimeDecoder().decode(userData);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("User data needs to be valid base 64.");
            }
        }
        Integer min = Input.integer(server, "min_count", 1);
        Integer max = Input.integer(server, "max_count", 1);
        int minCount = min == null ? 1 : min;
        int maxCount = max == null ? minCount : max;
        if (minCount > maxCount) {
            throw ApiException.badRequest("min_count must be <= max_count");
        }
        Map<String, String> metadata = Input.metadata(server, "metadata");
        ObjectNode hints = body.has("os:scheduler_hints") ? Input.object(body, "os:scheduler_hints")
                : body.has("OS-SCH-HNT:scheduler_hints") ? Input.object(body, "OS-SCH-HNT:scheduler_hints") : Json.object();
        String group = hints.hasNonNull("group") ? hints.get("group").asText() : null;
        Boolean configDrive = Input.bool(server, "config_drive");
        String diskConfig = Input.string(server, "OS-DCF:diskConfig", 0, 10, false);
        if (diskConfig != null && !Set.of("AUTO", "MANUAL").contains(diskConfig)) {
            throw Input.invalid("OS-DCF:diskConfig", server.get("OS-DCF:diskConfig"), "'" + diskConfig + "' is not one of ['AUTO', 'MANUAL']");
        }
        String accessIpv4 = Input.string(server, "accessIPv4", 0, 64, false);
        if (accessIpv4 != null && !accessIpv4.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw Input.invalid("accessIPv4", server.get("accessIPv4"), "'" + accessIpv4 + "' is not a 'ipv4'");
        }
        String accessIpv6 = Input.string(server, "accessIPv6", 0, 64, false);
        if (accessIpv6 != null && !accessIpv6.contains(":")) {
            throw Input.invalid("accessIPv6", server.get("accessIPv6"), "'" + accessIpv6 + "' is not a 'ipv6'");
        }
        Servers.CreateRequest request = new Servers.CreateRequest(name, imageRef, flavorRef,
                Input.string(server, "key_name", 1, 255, false), userData, metadata == null ? Map.of() : metadata,
                Input.string(server, "availability_zone", 0, 255, false), minCount, maxCount,
                Input.tags(server.get("tags"), "tags"), v.atLeast(2, 19) ? Input.string(server, "description", 0, 255, false) : null,
                accessIpv4, accessIpv6, Input.string(server, "adminPass", 0, 255, false),
                configDrive != null && configDrive, group, ids(hints.get("different_host")), ids(hints.get("same_host")),
                networks, securityGroups(server));
        Servers.Created created = servers.create(Http.caller(ctx), ctx.header("X-Auth-Token"), request, Http.requestId(ctx));
        Boolean returnReservation = Input.bool(server, "return_reservation_id");
        if (returnReservation != null && returnReservation) {
            Http.json(ctx, 202, Json.object().put("reservation_id", created.reservationId()));
            return;
        }
        if (created.servers().isEmpty()) {
            throw new ApiException(ApiException.Kind.INTERNAL, "No server was created.");
        }
        Instance first = created.servers().getFirst();
        ObjectNode view = Json.object().put("id", first.id());
        view.set("links", ServerView.links(Http.baseUrl(ctx), "servers", first.id()));
        view.put("OS-DCF:diskConfig", diskConfig == null ? "MANUAL" : diskConfig);
        // As Nova: the groups the request named, whatever the networks came to.
        request.securityGroups().forEach(n -> view.withArray("security_groups").addObject().put("name", n));
        view.put("adminPass", created.adminPass());
        ctx.header("Location", Http.baseUrl(ctx) + "/v2.1/servers/" + first.id());
        Http.json(ctx, 202, Json.object().set("server", view));
    }

    /**
     * Networks: from 2.37 "auto", "none" or a list is required; before, a list or nothing (null:
     * the networks the project may use, as Nova chooses them).
     */
    private static RequestedNetworks networks(ObjectNode server, Microversion v) {
        JsonNode networks = server.get("networks");
        if (networks == null) {
            if (v.atLeast(2, 37)) {
                throw ApiException.badRequest("Invalid input for field/attribute networks. Value: None. 'networks' is a required property");
            }
            return null;
        }
        if (networks.isTextual()) {
            if (!v.atLeast(2, 37) || !Set.of("auto", "none").contains(networks.asText())) {
                throw Input.invalid("networks", networks, networks + " is not of type 'array'");
            }
            return networks.asText().equals("auto") ? new RequestedNetworks.Auto() : new RequestedNetworks.None();
        }
        if (!networks.isArray()) {
            throw Input.invalid("networks", networks, networks + " is not of type 'array'");
        }
        List<RequestedNetworks.Requested> entries = new ArrayList<>();
        for (JsonNode network : networks) {
            if (!network.isObject()) {
                throw Input.invalid("networks", network, network + " is not of type 'object'");
            }
            Input.only((ObjectNode) network, v.atLeast(2, 32) ? Set.of("uuid", "port", "fixed_ip", "tag")
                    : Set.of("uuid", "port", "fixed_ip"));
            String uuid = Input.string((ObjectNode) network, "uuid", 0, 255, false);
            String port = Input.string((ObjectNode) network, "port", 0, 255, false);
            String fixedIp = Input.string((ObjectNode) network, "fixed_ip", 0, 64, false);
            entries.add(Input.requestedNetwork(emptyToNull(uuid), emptyToNull(port), fixedIp));
        }
        return new RequestedNetworks.Listed(entries);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** security_groups: [{"name": ...}] (a name or an id); empty when none are given. */
    private static List<String> securityGroups(ObjectNode server) {
        JsonNode groups = server.get("security_groups");
        if (groups == null || groups.isNull()) {
            return List.of();
        }
        if (!groups.isArray()) {
            throw Input.invalid("security_groups", groups, groups + " is not of type 'array'");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode group : groups) {
            if (!group.isObject() || !group.path("name").isTextual() || group.path("name").asText().isBlank()) {
                throw Input.invalid("security_groups", group, group + " is not valid under any of the given schemas");
            }
            names.add(group.path("name").asText().strip());
        }
        return names;
    }

    private static List<String> ids(JsonNode value) {
        if (value == null || value.isNull()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(id -> ids.add(id.asText()));
        } else {
            ids.add(value.asText());
        }
        return ids;
    }

    private void list(Context ctx, boolean detail) {
        AuthContext caller = Http.caller(ctx);
        Microversion v = Http.microversion(ctx);
        boolean allTenants = flag(ctx.queryParam("all_tenants"));
        if (allTenants) {
            Http.enforce(ctx, "os_compute_api:servers:" + (detail ? "detail" : "index") + ":get_all_tenants", Target.NONE);
        }
        boolean admin = caller.isAdmin();
        String project = allTenants ? adminOnly(admin, firstOf(ctx.queryParam("project_id"), ctx.queryParam("tenant_id")))
                : caller.projectId();
        if (!allTenants && admin && firstOf(ctx.queryParam("project_id"), ctx.queryParam("tenant_id")) != null) {
            project = firstOf(ctx.queryParam("project_id"), ctx.queryParam("tenant_id"));
        }
        List<String> vmStates = null;
        List<String> taskStates = null;
        String status = ctx.queryParam("status");
        if (status != null) {
            ServerStatus.Selection selection = ServerStatus.select(status);
            if (selection == null) {
                if (v.atLeast(2, 38)) {
                    throw ApiException.badRequest("Invalid status value");
                }
                answer(ctx, detail, List.of(), 0);
                return;
            }
            vmStates = selection.vmStates();
            taskStates = selection.taskStates();
        }
        Instant changesSince = time(ctx, "changes-since");
        boolean deleted = admin && flag(ctx.queryParam("deleted"));
        String image = ctx.queryParam("image");
        if (image != null && image.contains("/")) {
            image = image.substring(image.lastIndexOf('/') + 1);
        }
        String flavor = ctx.queryParam("flavor");
        if (flavor != null && flavor.contains("/")) {
            flavor = flavor.substring(flavor.lastIndexOf('/') + 1);
        }
        boolean tagsAllowed = v.atLeast(2, 26);
        InstanceStore.Filter filter = new InstanceStore.Filter(project, changesSince != null || deleted,
                deleted && vmStates == null ? List.of(ServerStatus.DELETED) : vmStates, taskStates, image, flavor,
                admin ? ctx.queryParam("host") : null, ctx.queryParam("availability_zone"), changesSince, null,
                tagsAllowed ? csv(ctx.queryParam("tags")) : null, tagsAllowed ? csv(ctx.queryParam("tags-any")) : null,
                tagsAllowed ? csv(ctx.queryParam("not-tags")) : null, tagsAllowed ? csv(ctx.queryParam("not-tags-any")) : null,
                null, null);
        int limit = limit(ctx);
        List<Instance> found = servers.list(new Servers.ListRequest(filter, ctx.queryParam("name"), ctx.queryParam("ip"),
                ctx.queryParam("marker"), limit));
        answer(ctx, detail, found, limit);
    }

    private void answer(Context ctx, boolean detail, List<Instance> found, int limit) {
        ServerView.Viewer viewer = viewer(ctx, servers);
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("servers");
        for (Instance server : found) {
            list.add(detail ? ServerView.detail(server, viewer) : ServerView.summary(server, viewer));
        }
        if (limit > 0 && found.size() == limit) {
            String path = detail ? "/v2.1/servers/detail" : "/v2.1/servers";
            StringBuilder next = new StringBuilder(viewer.baseUrl() + path + "?");
            ctx.queryParamMap().forEach((key, values) -> {
                if (!key.equals("marker")) {
                    values.forEach(value -> next.append(encode(key)).append('=').append(encode(value)).append('&'));
                }
            });
            next.append("marker=").append(found.getLast().id());
            body.putArray("servers_links").addObject().put("href", next.toString()).put("rel", "next");
        }
        Http.json(ctx, body);
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    static int limit(Context ctx) {
        String text = ctx.queryParam("limit");
        if (text == null) {
            return MAX_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.strip());
            if (limit < 0) {
                throw new NumberFormatException();
            }
            return Math.min(limit, MAX_LIMIT);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit param must be an integer");
        }
    }

    private static Instant time(Context ctx, String param) {
        String text = ctx.queryParam(param);
        if (text == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text.strip().replace(' ', '+')).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return java.time.LocalDateTime.parse(text.strip()).toInstant(java.time.ZoneOffset.UTC);
            } catch (DateTimeParseException again) {
                throw ApiException.badRequest("Invalid input for query parameters %s. Value: %s. '%s' is not a 'date-time'",
                        param, text, text);
            }
        }
    }

    private static String adminOnly(boolean admin, String value) {
        return admin ? value : null;
    }

    private static String firstOf(String a, String b) {
        return a != null ? a : b;
    }

    static boolean flag(String value) {
        if (value == null) {
            return false;
        }
        return value.isEmpty() || Set.of("1", "true", "t", "yes", "y", "on").contains(value.strip().toLowerCase(java.util.Locale.ROOT));
    }

    private static List<String> csv(String value) {
        return value == null ? null : Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private void update(Context ctx) {
        Microversion v = Http.microversion(ctx);
        Instance server = server(ctx, servers, "os_compute_api:servers:update");
        ObjectNode body = Input.object(Http.jsonBody(ctx), "server");
        Set<String> allowed = new HashSet<>(Set.of("name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"));
        if (v.atLeast(2, 19)) {
            allowed.add("description");
        }
        Input.only(body, allowed);
        Instance updated = servers.update(server, Input.name(body, "name", false),
                Input.string(body, "description", 0, 255, false), body.has("description"),
                Input.string(body, "accessIPv4", 0, 64, false), Input.string(body, "accessIPv6", 0, 64, false));
        Http.json(ctx, Json.object().set("server", ServerView.detail(updated, viewer(ctx, servers))));
    }

    private void delete(Context ctx) {
        Instance server = server(ctx, servers, "os_compute_api:servers:delete");
        servers.delete(Http.caller(ctx), server, Http.requestId(ctx));
        ctx.status(204);
    }
}
