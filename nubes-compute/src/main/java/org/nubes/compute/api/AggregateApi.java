package org.nubes.compute.api;

import static org.nubes.core.auth.Access.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nubes.compute.service.Aggregates;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Microversion;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/** /os-aggregates: host aggregates, admin only, with the uuid from 2.41. */
public final class AggregateApi {
    private final Aggregates aggregates;

    public AggregateApi(Aggregates aggregates) {
        this.aggregates = aggregates;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/os-aggregates", rule("os_compute_api:os-aggregates:index"), this::list);
        routes.post("/v2.1/os-aggregates", rule("os_compute_api:os-aggregates:create"), this::create);
        routes.get("/v2.1/os-aggregates/{id}", rule("os_compute_api:os-aggregates:show"), ctx -> show(ctx, 200));
        routes.put("/v2.1/os-aggregates/{id}", rule("os_compute_api:os-aggregates:update"), this::update);
        routes.delete("/v2.1/os-aggregates/{id}", rule("os_compute_api:os-aggregates:delete"), this::delete);
        // Each action is admin-only like the route itself; the action names its own rule in Nova.
        routes.post("/v2.1/os-aggregates/{id}/action", rule("os_compute_api:os-aggregates:add_host"), this::action);
    }

    private void list(Context ctx) {
        ArrayNode list = Json.array();
        aggregates.list().forEach(a -> list.add(view(a, Http.microversion(ctx), true)));
        Http.json(ctx, Json.object().set("aggregates", list));
    }

    private void create(Context ctx) {
        ObjectNode body = Input.wrapped(ctx, "aggregate");
        Input.only(body, Set.of("name", "availability_zone"));
        String name = Input.name(body, "name", 255);
        String zone = Input.string(body, "availability_zone", 1, 255, false);
        Http.json(ctx, Json.object().set("aggregate", view(aggregates.create(name, zone), Http.microversion(ctx), false)));
    }

    private void show(Context ctx, int status) {
        Http.json(ctx, status, Json.object().set("aggregate", view(aggregates.get(id(ctx)), Http.microversion(ctx), true)));
    }

    private void update(Context ctx) {
        ObjectNode body = Input.wrapped(ctx, "aggregate");
        Input.only(body, Set.of("name", "availability_zone"));
        if (body.isEmpty()) {
            throw ApiException.badRequest("Invalid input for field/attribute aggregate. Value: {}. {} does not have enough properties");
        }
        String name = body.has("name") ? Input.name(body, "name", 255) : null;
        String zone = Input.string(body, "availability_zone", 1, 255, false);
        Http.json(ctx, Json.object().set("aggregate", view(aggregates.update(id(ctx), name, zone), Http.microversion(ctx), true)));
    }

    private void delete(Context ctx) {
        aggregates.delete(id(ctx));
        ctx.status(200);
    }

    private void action(Context ctx) {
        ObjectNode body = Http.jsonBody(ctx);
        if (body.size() != 1) {
            throw ApiException.badRequest("Invalid request body: exactly one of add_host, remove_host, set_metadata.");
        }
        String action = body.fieldNames().next();
        long id = id(ctx);
        Aggregates.Aggregate result = switch (action) {
            case "add_host", "remove_host" -> {
                ObjectNode args = Input.object(body, action);
                Input.only(args, Set.of("host"));
                String host = Input.string(args, "host", 1, 255, true);
                yield action.equals("add_host") ? aggregates.addHost(id, host) : aggregates.removeHost(id, host);
            }
            case "set_metadata" -> {
                ObjectNode args = Input.object(body, action);
                Input.only(args, Set.of("metadata"));
                JsonNode metadata = args.get("metadata");
                if (metadata == null || !metadata.isObject()) {
                    throw Input.invalid("metadata", metadata, "'metadata' is a required property of type 'object'");
                }
                Map<String, String> changes = new LinkedHashMap<>();
                for (var field : metadata.properties()) {
                    JsonNode value = field.getValue();
                    if (!value.isNull() && !value.isTextual()) {
                        throw Input.invalid("metadata/" + field.getKey(), value, value + " is not of type 'string', 'null'");
                    }
                    changes.put(field.getKey(), value.isNull() ? null : value.asText());
                }
                yield aggregates.setMetadata(id, changes);
            }
            default -> throw ApiException.badRequest("Invalid request body: unknown action %s.", action);
        };
        Http.json(ctx, Json.object().set("aggregate", view(result, Http.microversion(ctx), true)));
    }

    private static long id(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Invalid aggregate id %s: an integer is expected.", ctx.pathParam("id"));
        }
    }

    /** Nova's aggregate; the answer to create has no hosts and metadata. */
    private static ObjectNode view(Aggregates.Aggregate a, Microversion v, boolean full) {
        ObjectNode view = Json.object().put("availability_zone", a.availabilityZone())
                .put("created_at", Input.time(a.createdAt())).put("deleted", false).putNull("deleted_at");
        if (full) {
            ArrayNode hosts = view.putArray("hosts");
            a.hosts().forEach(hosts::add);
        }
        view.put("id", a.id());
        if (full) {
            view.set("metadata", Json.MAPPER.valueToTree(a.metadata()));
        }
        view.put("name", a.name()).put("updated_at", Input.time(a.updatedAt()));
        if (v.atLeast(2, 41)) {
            view.put("uuid", a.uuid());
        }
        return view;
    }
}
