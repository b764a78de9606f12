package org.nubes.compute.api;

import static org.nubes.core.auth.Access.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.nubes.compute.service.AgentCalls;
import org.nubes.compute.service.ServerAction;
import org.nubes.compute.service.ServerActions;
import org.nubes.compute.service.Servers;
import org.nubes.compute.service.Flavors;
import org.nubes.compute.store.Instance;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Microversion;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/** POST /servers/{id}/action: one action per body, named by its only key. */
public final class ServerActionApi {
    private final Servers servers;
    private final ServerActions actions;
    private final Flavors flavors;

    public ServerActionApi(Servers servers, ServerActions actions, Flavors flavors) {
        this.servers = servers;
        this.actions = actions;
        this.flavors = flavors;
    }

    public void register(Routes routes) {
        // Each action has its own rule, known only once the body is read: enforced in the handler.
        routes.post("/v2.1/servers/{id}/action", rule("os_compute_api:servers:action"), this::action);
        routes.get("/v2.1/servers/{id}/diagnostics", rule("os_compute_api:os-server-diagnostics"), this::diagnostics);
    }

    private void action(Context ctx) {
        ObjectNode body = Http.jsonBody(ctx);
        if (body.size() != 1) {
            throw ApiException.badRequest("There is no such action: the body must name exactly one action.");
        }
        String name = body.fieldNames().next();
        JsonNode args = body.get(name);
        if ("os-getConsoleOutput".equals(name)) {
            consoleOutput(ctx, args);
            return;
        }
        if ("addSecurityGroup".equals(name) || "removeSecurityGroup".equals(name)) {
            boolean add = "addSecurityGroup".equals(name);
            Instance server = ServerApi.server(ctx, servers, add ? "os_compute_api:os-security-groups:add"
                    : "os_compute_api:os-security-groups:remove");
            if (!args.isObject() || !args.path("name").isTextual() || args.path("name").asText().isBlank()) {
                throw ApiException.badRequest("Invalid input for field/attribute %s. 'name' is a required property", name);
            }
            servers.changeSecurityGroup(ctx.header("X-Auth-Token"), server, args.path("name").asText().strip(), add);
            ctx.status(202);
            return;
        }
        ServerAction action = parse(ctx, name, args);
        ServerActions.Plan plan = ServerActions.plan(action);
        Instance server = ServerApi.server(ctx, servers, plan.rule());
        if (action instanceof ServerAction.Unlock && "admin".equals(server.lock().lockedBy())) {
            Http.enforce(ctx, "os_compute_api:os-lock-server:unlock:unlock_override", Target.of("project_id", server.projectId()));
        }
        ServerActions.Result result = actions.act(Http.caller(ctx), ctx.header("X-Auth-Token"), server, action, Http.requestId(ctx));
        Microversion v = Http.microversion(ctx);
        switch (action) {
            case ServerAction.ConfirmResize c -> ctx.status(204);
            case ServerAction.Rebuild r -> {
                ObjectNode view = ServerView.detail(result.server(), ServerApi.viewer(ctx, servers));
                view.put("adminPass", result.adminPass());
                Http.json(ctx, 202, Json.object().set("server", view));
            }
            case ServerAction.CreateImage c -> {
                String location = imageUrl(result.imageId());
                if (v.atLeast(2, 45)) {
                    Http.json(ctx, 202, Json.object().put("image_id", result.imageId()));
                } else {
                    ctx.header("Location", location);
                    ctx.status(202);
                }
            }
            default -> ctx.status(202);
        }
    }

    private String imageUrl(String imageId) {
        try {
            return servers.images().url("/v2/images/" + imageId);
        } catch (ApiException e) {
            return imageId;
        }
    }

    private ServerAction parse(Context ctx, String name, JsonNode args) {
        Microversion v = Http.microversion(ctx);
        return switch (name) {
            case "os-start" -> new ServerAction.Start();
            case "os-stop" -> new ServerAction.Stop();
            case "pause" -> new ServerAction.Pause();
            case "unpause" -> new ServerAction.Unpause();
            case "suspend" -> new ServerAction.Suspend();
            case "resume" -> new ServerAction.Resume();
            case "lock" -> new ServerAction.Lock(null);
            case "unlock" -> new ServerAction.Unlock();
            case "confirmResize" -> new ServerAction.ConfirmResize();
            case "revertResize" -> new ServerAction.RevertResize();
            case "forceDelete" -> new ServerAction.ForceDelete();
            case "reboot" -> {
                ObjectNode reboot = objectArgs(name, args);
                Input.only(reboot, Set.of("type"));
                String type = Input.string(reboot, "type", 1, 10, true);
                if (!Set.of("HARD", "SOFT").contains(type.toUpperCase(java.util.Locale.ROOT))) {
                    throw Input.invalid("type", reboot.get("type"), "'" + type + "' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']");
                }
                yield new ServerAction.Reboot(type.equalsIgnoreCase("HARD"));
            }
            case "resize" -> {
                ObjectNode resize = objectArgs(name, args);
                Input.only(resize, Set.of("flavorRef", "OS-DCF:diskConfig"));
                String flavorRef = Input.reference(resize, "flavorRef");
                String flavorId = flavorRef.contains("/") ? flavorRef.substring(flavorRef.lastIndexOf('/') + 1) : flavorRef;
                yield new ServerAction.Resize(flavors.find(flavorId, Http.caller(ctx))
                        .orElseThrow(() -> ApiException.badRequest("Unable to find flavor: Flavor %s could not be found.", flavorId)));
            }
            case "rebuild" -> {
                ObjectNode rebuild = objectArgs(name, args);
                Set<String> allowed = new HashSet<>(Set.of("imageRef", "name", "metadata", "adminPass", "accessIPv4",
                        "accessIPv6", "OS-DCF:diskConfig", "preserve_ephemeral", "personality"));
                if (v.atLeast(2, 19)) {
                    allowed.add("description");
                }
                Input.only(rebuild, allowed);
                String imageRef = Input.string(rebuild, "imageRef", 1, 2048, true);
                yield new ServerAction.Rebuild(imageRef, Input.name(rebuild, "name", false), Input.metadata(rebuild, "metadata"),
                        v.atLeast(2, 19) ? Input.string(rebuild, "description", 0, 255, false) : null,
                        Input.string(rebuild, "adminPass", 0, 255, false));
            }
            case "createImage" -> {
                ObjectNode create = objectArgs(name, args);
                Input.only(create, Set.of("name", "metadata"));
                String imageName = Input.name(create, "name", true);
                Map<String, String> metadata = Input.metadata(create, "metadata");
                yield new ServerAction.CreateImage(imageName, metadata == null ? Map.of() : metadata);
            }
            default -> throw ApiException.badRequest("There is no such action: %s", name);
        };
    }

    private static ObjectNode objectArgs(String action, JsonNode args) {
        if (!(args instanceof ObjectNode object)) {
            throw Input.invalid(action, args, args + " is not of type 'object'");
        }
        return object;
    }

    private void consoleOutput(Context ctx, JsonNode args) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-console-output");
        int length = -1;
        if (args instanceof ObjectNode object) {
            Input.only(object, Set.of("length"));
            JsonNode value = object.get("length");
            if (value != null && !value.isNull()) {
                if (value.isIntegralNumber() || value.isTextual() && value.asText().matches("-?\\d+")) {
                    length = Integer.parseInt(value.asText());
                } else {
                    throw Input.invalid("length", value, value + " is not of type 'integer', 'string', 'null'");
                }
                if (length < -1) {
                    throw Input.invalid("length", value, length + " is less than the minimum of -1");
                }
            }
        }
        if (!"active".equals(server.vmState()) && !"stopped".equals(server.vmState()) && !"paused".equals(server.vmState())
                && !"suspended".equals(server.vmState()) && !"resized".equals(server.vmState())) {
            throw ApiException.conflict("Cannot 'get_console_output' instance %s while it is in vm_state %s", server.id(), server.vmState());
        }
        JsonNode answer = callAgent(server, "get_console_output", Json.object().put("length", length));
        Http.json(ctx, Json.object().put("output", answer.path("output").asText()));
    }

    private void diagnostics(Context ctx) {
        Instance server = ServerApi.server(ctx, servers, "os_compute_api:os-server-diagnostics");
        if (server.host() == null) {
            throw ApiException.conflict("Cannot 'get_diagnostics' instance %s while it is in vm_state %s", server.id(), server.vmState());
        }
        JsonNode d = callAgent(server, "get_diagnostics", Json.object());
        ObjectNode view = Json.object();
        view.put("state", d.path("state").asText()).put("driver", d.path("driver").asText())
                .put("hypervisor", d.path("driver").asText()).put("hypervisor_os", "linux")
                .put("uptime", d.path("uptimeSeconds").asLong()).put("config_drive", d.path("configDrive").asBoolean())
                .put("num_cpus", d.path("cpuCount").asInt()).put("num_nics", 0).put("num_disks", 1);
        view.putObject("memory_details").put("maximum", d.path("memoryMb").asInt()).put("used", 0);
        view.putArray("cpu_details");
        view.putArray("nic_details");
        view.putArray("disk_details");
        Http.json(ctx, view);
    }

    private JsonNode callAgent(Instance server, String method, ObjectNode args) {
        if (server.host() == null) {
            throw ApiException.conflict("Instance %s is not on a host yet.", server.id());
        }
        args.put("instance_id", server.id());
        return AgentCalls.call(servers.bus(), server.host(), method, args);
    }
}
