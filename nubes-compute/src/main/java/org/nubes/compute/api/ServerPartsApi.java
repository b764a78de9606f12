package org.nubes.compute.api;

import static org.nubes.core.auth.Access.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.nubes.compute.service.Servers;
import org.nubes.compute.store.ActionStore;
import org.nubes.compute.store.Instance;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/** The parts of a server with their own URLs: metadata, tags (2.26) and instance actions. */
public final class ServerPartsApi {
    private static final int MAX_TAGS = 50;

    private final Servers servers;

    public ServerPartsApi(Servers servers) {
        this.servers = servers;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/servers/{id}/metadata", rule("os_compute_api:server-metadata:index"), this::listMetadata);
        routes.post("/v2.1/servers/{id}/metadata", rule("os_compute_api:server-metadata:create"), ctx -> setMetadata(ctx, false));
        routes.put("/v2.1/servers/{id}/metadata", rule("os_compute_api:server-metadata:update_all"), ctx -> setMetadata(ctx, true));
        routes.get("/v2.1/servers/{id}/metadata/{key}", rule("os_compute_api:server-metadata:show"), this::showMetadataItem);
        routes.put("/v2.1/servers/{id}/metadata/{key}", rule("os_compute_api:server-metadata:update"), this::setMetadataItem);
        routes.delete("/v2.1/servers/{id}/metadata/{key}", rule("os_compute_api:server-metadata:delete"), this::deleteMetadataItem);

        routes.get("/v2.1/servers/{id}/tags", rule("os_compute_api:os-server-tags:index"), this::listTags);
        routes.put("/v2.1/servers/{id}/tags", rule("os_compute_api:os-server-tags:update_all"), this::replaceTags);
        routes.delete("/v2.1/servers/{id}/tags", rule("os_compute_api:os-server-tags:delete_all"), this::deleteTags);
        routes.get("/v2.1/servers/{id}/tags/{tag}", rule("os_compute_api:os-server-tags:show"), this::showTag);
        routes.put("/v2.1/servers/{id}/tags/{tag}", rule("os_compute_api:os-server-tags:update"), this::addTag);
        routes.delete("/v2.1/servers/{id}/tags/{tag}", rule("os_compute_api:os-server-tags:delete"), this::deleteTag);

        routes.post("/v2.1/os-server-external-events", rule("os_compute_api:os-server-external-events:create"),
                this::externalEvents);
        routes.get("/v2.1/servers/{id}/ips", rule("os_compute_api:ips:index"), this::listIps);
        routes.get("/v2.1/servers/{id}/os-interface", rule("os_compute_api:os-attach-interfaces:list"), this::listInterfaces);
        routes.get("/v2.1/servers/{id}/os-interface/{port_id}", rule("os_compute_api:os-attach-interfaces:show"),
                this::showInterface);
        routes.post("/v2.1/servers/{id}/os-interface", rule("os_compute_api:os-attach-interfaces:create"), this::attachInterface);
        routes.delete("/v2.1/servers/{id}/os-interface/{port_id}", rule("os_compute_api:os-attach-interfaces:delete"),
                this::detachInterface);
        routes.get("/v2.1/servers/{id}/ips/{network}", rule("os_compute_api:ips:show"), this::showIps);

        routes.get("/v2.1/servers/{id}/os-instance-actions", rule("os_compute_api:os-instance-actions:list"), this::listActions);
        routes.get("/v2.1/servers/{id}/os-instance-actions/{request_id}", rule("os_compute_api:os-instance-actions:show"),
                this::showAction);
    }

    private void listMetadata(Context ctx) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:server-metadata:index");
        Http.json(ctx, Json.object().set("metadata", Json.MAPPER.valueToTree(new TreeMap<>(server.metadata()))));
    }

    private void setMetadata(Context ctx, boolean replace) {
        Instance server = ServerApi.server(ctx, servers, replace ? "os_compute_api:server-metadata:update_all"
                : "os_compute_api:server-metadata:create");
        ObjectNode body = Http.jsonBody(ctx);
        Input.only(body, Set.of("metadata"));
        Input.object(body, "metadata");
        Map<String, String> given = Input.metadata(body, "metadata");
        Map<String, String> metadata = new LinkedHashMap<>(replace ? Map.of() : server.metadata());
        metadata.putAll(given);
        save(ctx, server, metadata, "update_metadata");
        Http.json(ctx, Json.object().set("metadata", Json.MAPPER.valueToTree(new TreeMap<>(metadata))));
    }

    private void showMetadataItem(Context ctx) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:server-metadata:show");
        String key = ctx.pathParam("key");
        String value = server.metadata().get(key);
        if (value == null) {
            throw ApiException.notFound("Metadata item was not found");
        }
        Http.json(ctx, Json.object().set("meta", Json.object().put(key, value)));
    }

    private void setMetadataItem(Context ctx) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:server-metadata:update");
        String key = ctx.pathParam("key");
        ObjectNode body = Http.jsonBody(ctx);
        Input.only(body, Set.of("meta"));
        Input.object(body, "meta");
        Map<String, String> meta = Input.metadata(body, "meta");
        if (meta.size() > 1) {
            throw ApiException.badRequest("Request body contains too many items");
        }
        if (!meta.containsKey(key)) {
            throw ApiException.badRequest("Request body and URI mismatch");
        }
        Map<String, String> metadata = new LinkedHashMap<>(server.metadata());
        metadata.put(key, meta.get(key));
        save(ctx, server, metadata, "update_metadata");
        Http.json(ctx, Json.object().set("meta", Json.object().put(key, meta.get(key))));
    }

    private void deleteMetadataItem(Context ctx) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:server-metadata:delete");
        String key = ctx.pathParam("key");
        if (!server.metadata().containsKey(key)) {
            throw ApiException.notFound("Metadata item was not found");
        }
        Map<String, String> metadata = new LinkedHashMap<>(server.metadata());
        metadata.remove(key);
        save(ctx, server, metadata, "delete_metadata");
        ctx.status(204);
    }

    private void save(Context ctx, Instance server, Map<String, String> metadata, String action) {
        servers.setMetadata(Http.caller(ctx), server, metadata, action);
    }

    private void requireTags(Context ctx) {
        if (!Http.microversion(ctx).atLeast(2, 26)) {
            throw ApiException.notFound("The resource could not be found.");
        }
    }

    /**
     * POST /os-server-external-events: what other services tell about servers. network-changed
     * makes the server's interfaces be read again (its floating IPs); other events are
     * acknowledged. 200 when every event was handled, 207 when some were not, 404 when none.
     */
    private void externalEvents(Context ctx) {
        ObjectNode body = Http.jsonBody(ctx);
        Input.only(body, Set.of("events"));
        JsonNode events = body.get("events");
        if (events == null || !events.isArray() || events.isEmpty()) {
            throw ApiException.badRequest("Invalid input for field/attribute events. 'events' must be a non-empty list");
        }
        ArrayNode answered = Json.array();
        int found = 0;
        for (JsonNode event : events) {
            String name = event.path("name").asText("");
            String server = event.path("server_uuid").asText("");
            if (name.isEmpty() || server.isEmpty()) {
                throw ApiException.badRequest("Invalid input for field/attribute events. Each event needs a name and a server_uuid");
            }
            boolean known = name.equals("network-changed") ? servers.networkChanged(server) : servers.exists(server);
            found += known ? 1 : 0;
            ObjectNode result = answered.addObject().put("name", name).put("server_uuid", server)
                    .put("status", known ? "completed" : "failed").put("code", known ? 200 : 404);
            if (event.hasNonNull("tag")) {
                result.put("tag", event.get("tag").asText());
            }
        }
        int status = found == events.size() ? 200 : found == 0 ? 404 : 207;
        Http.json(ctx, status, Json.object().set("events", answered));
    }

    private void listInterfaces(Context ctx) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-attach-interfaces:list");
        ArrayNode list = Json.array();
        server.networkInfo().forEach(vif -> list.add(interfaceView(vif)));
        Http.json(ctx, Json.object().set("interfaceAttachments", list));
    }

    private void showInterface(Context ctx) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-attach-interfaces:show");
        String portId = ctx.pathParam("port_id");
        org.nubes.compute.store.Vif vif = server.networkInfo().stream().filter(v -> v.portId().equals(portId)).findFirst()
                .orElseThrow(() -> ApiException.notFound("Instance %s has no interface with port %s", server.id(), portId));
        Http.json(ctx, Json.object().set("interfaceAttachment", interfaceView(vif)));
    }

    /** POST /servers/{id}/os-interface: {"interfaceAttachment": {"net_id" (with "fixed_ips") | "port_id"}}. */
    private void attachInterface(Context ctx) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-attach-interfaces:create");
        ObjectNode attachment = Input.object(Http.jsonBody(ctx), "interfaceAttachment");
        Input.only(attachment, Set.of("net_id", "port_id", "fixed_ips", "tag"));
        String net = Input.string(attachment, "net_id", 0, 255, false);
        String port = Input.string(attachment, "port_id", 0, 255, false);
        if ((net == null) == (port == null)) {
            throw ApiException.badRequest("Must input network_id or port_id, not both or neither.");
        }
        String fixedIp = null;
        JsonNode fixedIps = attachment.get("fixed_ips");
        if (fixedIps != null && !fixedIps.isNull()) {
            if (!fixedIps.isArray() || fixedIps.size() != 1 || !fixedIps.get(0).path("ip_address").isTextual()) {
                throw ApiException.badRequest("Invalid input for field/attribute fixed_ips: one ip_address is taken.");
            }
            fixedIp = fixedIps.get(0).path("ip_address").asText();
        }
        org.nubes.compute.store.Vif vif = servers.attachInterface(Http.caller(ctx), ctx.header("X-Auth-Token"), server,
                Input.requestedNetwork(net, port, fixedIp));
        Http.json(ctx, Json.object().set("interfaceAttachment", interfaceView(vif)));
    }

    private void detachInterface(Context ctx) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-attach-interfaces:delete");
        servers.detachInterface(Http.caller(ctx), server, ctx.pathParam("port_id"));
        ctx.status(202);
    }

    /** An interface as os-interface shows it. */
    private static ObjectNode interfaceView(org.nubes.compute.store.Vif vif) {
        ObjectNode view = Json.object();
        ArrayNode ips = view.putArray("fixed_ips");
        vif.fixedIps().forEach(ip -> ips.addObject().put("subnet_id", ip.subnetId()).put("ip_address", ip.address()));
        return view.put("mac_addr", vif.macAddress()).put("net_id", vif.networkId()).put("port_id", vif.portId())
                .put("port_state", "ACTIVE");
    }

    /** GET /servers/{id}/ips: the addresses by network, without the extended keys of a server's view. */
    private void listIps(Context ctx) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:ips:index");
        Http.json(ctx, Json.object().set("addresses", plainAddresses(server)));
    }

    private void showIps(Context ctx) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:ips:show");
        String network = ctx.pathParam("network");
        JsonNode addresses = plainAddresses(server).get(network);
        if (addresses == null) {
            throw ApiException.notFound("Instance is not a member of specified network");
        }
        Http.json(ctx, Json.object().set(network, addresses));
    }

    private static ObjectNode plainAddresses(Instance server) {
        ObjectNode addresses = ServerView.addresses(server);
        addresses.forEach(list -> list.forEach(address -> ((ObjectNode) address).retain("version", "addr")));
        return addresses;
    }

    private void listTags(Context ctx) {
        requireTags(ctx);
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-server-tags:index");
        Http.json(ctx, Json.object().set("tags", tags(server.tags())));
    }

    private void replaceTags(Context ctx) {
        requireTags(ctx);
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-server-tags:update_all");
        ObjectNode body = Http.jsonBody(ctx);
        Input.only(body, Set.of("tags"));
        if (!body.has("tags")) {
            throw ApiException.badRequest("Invalid input for field/attribute tags. Value: None. 'tags' is a required property");
        }
        List<String> tags = Input.tags(body.get("tags"), "tags");
        servers.setTags(Http.caller(ctx), server, tags, "update tags");
        Http.json(ctx, Json.object().set("tags", tags(tags)));
    }

    private void deleteTags(Context ctx) {
        requireTags(ctx);
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-server-tags:delete_all");
        servers.setTags(Http.caller(ctx), server, List.of(), "delete tags");
        ctx.status(204);
    }

    private void showTag(Context ctx) {
        requireTags(ctx);
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-server-tags:show");
        if (!server.tags().contains(ctx.pathParam("tag"))) {
            throw ApiException.notFound("Tag '%s' could not be found for instance %s.", ctx.pathParam("tag"), server.id());
        }
        ctx.status(204);
    }

    private void addTag(Context ctx) {
        requireTags(ctx);
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-server-tags:update");
        String tag = ctx.pathParam("tag");
        Input.checkTag("tag", Json.MAPPER.getNodeFactory().textNode(tag));
        ctx.header("Location", Http.baseUrl(ctx) + "/v2.1/servers/" + server.id() + "/tags/" + tag);
        if (server.tags().contains(tag)) {
            ctx.status(204);
            return;
        }
        if (server.tags().size() >= MAX_TAGS) {
            throw ApiException.badRequest("The number of tags exceeded the per-server limit %d", MAX_TAGS);
        }
        List<String> tags = new ArrayList<>(server.tags());
        tags.add(tag);
        servers.setTags(Http.caller(ctx), server, tags, "update tag");
        ctx.status(201);
    }

    private void deleteTag(Context ctx) {
        requireTags(ctx);
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-server-tags:delete");
        String tag = ctx.pathParam("tag");
        if (!server.tags().contains(tag)) {
            throw ApiException.notFound("Tag '%s' could not be found for instance %s.", tag, server.id());
        }
        List<String> tags = new ArrayList<>(server.tags());
        tags.remove(tag);
        servers.setTags(Http.caller(ctx), server, tags, "delete tag");
        ctx.status(204);
    }

    private static ArrayNode tags(List<String> tags) {
        ArrayNode array = Json.array();
        tags.forEach(array::add);
        return array;
    }

    /** From 2.21 the actions of deleted servers can be read too. */
    private Instance actionServer(Context ctx, String rule) {
        Instance server = Http.microversion(ctx).atLeast(2, 21)
                ? servers.getIncludingDeleted(Http.caller(ctx), ctx.pathParam("id"))
                : servers.get(Http.caller(ctx), ctx.pathParam("id"));
        Http.enforce(ctx, rule, Target.of("project_id", server.projectId()));
        return server;
    }

    private void listActions(Context ctx) {
        Instance server = actionServer(ctx, "os_compute_api:os-instance-actions:list");
        ArrayNode list = Json.array();
        servers.actions().list(server.id()).forEach(a -> list.add(action(a)));
        Http.json(ctx, Json.object().set("instanceActions", list));
    }

    private void showAction(Context ctx) {
        Instance server = actionServer(ctx, "os_compute_api:os-instance-actions:show");
        String requestId = ctx.pathParam("request_id");
        ActionStore.Action found = servers.actions().list(server.id()).stream()
                .filter(a -> a.requestId().equals(requestId)).findFirst()
                .orElseThrow(() -> ApiException.notFound("Action %s not found", requestId));
        ObjectNode view = action(found);
        boolean details = Http.allows(ctx, "os_compute_api:os-instance-actions:events:details", Target.NONE);
        boolean events = Http.microversion(ctx).atLeast(2, 51) || details;
        if (events) {
            ArrayNode list = view.putArray("events");
            for (ActionStore.Event e : servers.actions().events(found.id())) {
                ObjectNode event = list.addObject().put("event", e.event()).put("start_time", time(e.startTime()))
                        .put("finish_time", time(e.finishTime())).put("result", e.result());
                if (details) {
                    event.put("traceback", e.traceback());
                }
            }
        }
        Http.json(ctx, Json.object().set("instanceAction", view));
    }

    private static ObjectNode action(ActionStore.Action a) {
        return Json.object().put("action", a.action()).put("instance_uuid", a.instanceId()).put("message", a.message())
                .put("project_id", a.projectId()).put("request_id", a.requestId()).put("start_time", time(a.startTime()))
                .put("user_id", a.userId());
    }

    private static String time(Instant instant) {
        return Input.time(instant);
    }
}
