package org.nubes.compute.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.nubes.compute.service.Hosts;
import org.nubes.compute.store.InstanceStore;
import org.nubes.core.auth.Access;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Microversion;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/**
 * os-services: the nova-compute service of each host. 2.11 adds forced_down; 2.53 gives services
 * UUID ids and replaces PUT /os-services/{enable,disable,disable-log-reason,force-down} (host and
 * binary in the body) with PUT /os-services/{id}.
 */
public final class ServiceApi {
    private final Hosts hosts;
    private final InstanceStore instances;

    public ServiceApi(Hosts hosts, InstanceStore instances) {
        this.hosts = hosts;
        this.instances = instances;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/os-services", Access.rule("os_compute_api:os-services:list"), this::list);
        routes.put("/v2.1/os-services/{service_id}", Access.rule("os_compute_api:os-services:update"), this::update);
        routes.delete("/v2.1/os-services/{service_id}", Access.rule("os_compute_api:os-services:delete"), this::delete);
    }

    private ObjectNode view(Hosts.Host h, Microversion version) {
        ObjectNode view = Json.object();
        if (version.atLeast(2, 53)) {
            view.put("id", h.serviceId());
        } else {
            view.put("id", h.serviceSeq());
        }
        view.put("binary", Hosts.BINARY).put("disabled_reason", h.disabledReason()).put("host", h.host())
                .put("state", hosts.isUp(h) ? "up" : "down").put("status", h.disabled() ? "disabled" : "enabled")
                .put("updated_at", Input.time(h.lastSeenAt() != null ? h.lastSeenAt() : h.updatedAt()));
        if (version.atLeast(2, 11)) {
            view.put("forced_down", h.forcedDown());
        }
        view.put("zone", h.zone());
        return view;
    }

    private void list(Context ctx) {
        Microversion version = Http.microversion(ctx);
        String host = ctx.queryParam("host");
        String binary = ctx.queryParam("binary");
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("services");
        for (Hosts.Host h : hosts.all()) {
            if ((host == null || host.isEmpty() || host.equals(h.host()))
                    && (binary == null || binary.isEmpty() || binary.equals(Hosts.BINARY))) {
                list.add(view(h, version));
            }
        }
        Http.json(ctx, body);
    }

    private void update(Context ctx) {
        Microversion version = Http.microversion(ctx);
        if (version.atLeast(2, 53)) {
            updateById(ctx, version);
        } else {
            legacyAction(ctx, version);
        }
    }

    private void updateById(Context ctx, Microversion version) {
        String id = ctx.pathParam("service_id");
        if (!HypervisorApi.UUID.matcher(id).matches()) {
            throw ApiException.badRequest("Invalid uuid %s", id);
        }
        ObjectNode body = Http.jsonBody(ctx);
        Input.only(body, Set.of("status", "disabled_reason", "forced_down"));
        JsonNode status = body.get("status");
        if (status != null && !(status.isTextual() && (status.asText().equals("enabled") || status.asText().equals("disabled")))) {
            throw Input.invalid("status", status, Json.string(status) + " is not one of ['enabled', 'disabled']");
        }
        String reason = reason(body);
        Boolean forcedDown = Input.bool(body, "forced_down");
        Hosts.Host h = byId(id).orElseThrow(() -> ApiException.notFound("Service %s could not be found.", id));
        if (status == null && forcedDown == null) {
            throw ApiException.badRequest("No updates were requested. Fields 'status' or 'forced_down' should be specified.");
        }
        if (status != null) {
            boolean disable = status.asText().equals("disabled");
            if (!disable && reason != null && !reason.isEmpty()) {
                throw ApiException.badRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.");
            }
            hosts.setDisabled(h.serviceId(), disable, reason);
        }
        if (forcedDown != null) {
            hosts.setForcedDown(h.serviceId(), forcedDown);
        }
        Hosts.Host updated = byId(id).orElseThrow(() -> ApiException.notFound("Service %s could not be found.", id));
        Http.json(ctx, Json.object().set("service", view(updated, version)));
    }

    private static String reason(ObjectNode body) {
        JsonNode reason = body.get("disabled_reason");
        if (reason == null) {
            return null;
        }
        if (!reason.isTextual() || reason.asText().isEmpty() || reason.asText().length() > 255) {
            throw Input.invalid("disabled_reason", reason, "a string of 1 to 255 characters is expected");
        }
        return reason.asText();
    }

    private Optional<Hosts.Host> byId(String id) {
        return hosts.all().stream().filter(h -> h.serviceId().equalsIgnoreCase(id)).findFirst();
    }

    /** PUT /os-services/{enable,disable,disable-log-reason,force-down} with host and binary in the body. */
    private void legacyAction(Context ctx, Microversion version) {
        String action = ctx.pathParam("service_id");
        List<String> actions = new ArrayList<>(List.of("enable", "disable", "disable-log-reason"));
        if (version.atLeast(2, 11)) {
            actions.add("force-down");
        }
        ObjectNode body = Http.jsonBody(ctx);
        List<String> allowed = new ArrayList<>(List.of("host", "binary", "disabled_reason"));
        if (version.atLeast(2, 11)) {
            allowed.add("forced_down");
        }
        Input.only(body, allowed);
        String host = requiredName(body, "host");
        String binary = requiredName(body, "binary");
        String reason = reason(body);
        if (!actions.contains(action)) {
            throw ApiException.notFound("Unknown action");
        }
        ObjectNode service = Json.object();
        Boolean forcedDown = null;
        if (action.equals("force-down")) {
            if (!body.has("forced_down")) {
                throw ApiException.badRequest("Missing forced_down field");
            }
            forcedDown = Input.bool(body, "forced_down");
        }
        if (action.equals("disable-log-reason") && reason == null) {
            throw ApiException.badRequest("Missing disabled reason field");
        }
        if (!binary.equals(Hosts.BINARY)) {
            throw ApiException.badRequest("Updating a %s service is not supported. Only nova-compute services can be updated.",
                    binary);
        }
        Hosts.Host h = hosts.get(host).orElseThrow(
                () -> ApiException.notFound("Could not find binary %s on host %s.", binary, host));
        service.put("host", host).put("binary", binary);
        switch (action) {
            case "enable" -> {
                hosts.setDisabled(h.serviceId(), false, null);
                service.put("status", "enabled");
            }
            case "disable" -> {
                hosts.setDisabled(h.serviceId(), true, null);
                service.put("status", "disabled");
            }
            case "disable-log-reason" -> {
                hosts.setDisabled(h.serviceId(), true, reason);
                service.put("status", "disabled").put("disabled_reason", reason);
            }
            default -> {
                hosts.setForcedDown(h.serviceId(), forcedDown);
                service.put("forced_down", forcedDown);
            }
        }
        Http.json(ctx, Json.object().set("service", service));
    }

    private static String requiredName(ObjectNode body, String field) {
        return Input.name(body, field, 255);
    }

    private void delete(Context ctx) {
        Microversion version = Http.microversion(ctx);
        String id = ctx.pathParam("service_id");
        Optional<Hosts.Host> found;
        if (version.atLeast(2, 53)) {
            if (!HypervisorApi.UUID.matcher(id).matches()) {
                throw ApiException.badRequest("Invalid uuid %s", id);
            }
            found = byId(id);
        } else {
            if (!id.matches("^-?[0-9]+$")) {
                throw ApiException.badRequest("Invalid input received: id must be an integer");
            }
            found = hosts.all().stream().filter(h -> String.valueOf(h.serviceSeq()).equals(id)).findFirst();
        }
        Hosts.Host h = found.orElseThrow(() -> ApiException.notFound("Service %s not found.", id));
        if (!instances.onHost(h.host()).isEmpty()) {
            throw ApiException.conflict(
                    "Unable to delete compute service that is hosting instances. Migrate or delete the instances first.");
        }
        if (!hosts.deleteService(h.serviceId())) {
            throw ApiException.notFound("Service %s not found.", id);
        }
        ctx.status(204);
    }
}
