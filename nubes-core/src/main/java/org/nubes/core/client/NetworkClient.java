package org.nubes.core.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;

/**
 * The networking service (Neutron v2.0) as another service sees it: what a user may use is read
 * with the user's token; ports are made, bound and removed with the service token, as Nova does.
 */
public final class NetworkClient {
    /**
     * The keys of a port's binding profile with which a compute host asks the networking service
     * to connect the port on that host: the server's network namespace (a file), the device name
     * in it, and the time of the request (a server started again asks again with the same place).
     */
    public static final String PROFILE_NETNS = "nubes_netns", PROFILE_DEVICE = "nubes_device",
            PROFILE_REQUESTED_AT = "nubes_requested_at";

    private final ServiceSession session;
    private final Remote api;

    public NetworkClient(ServiceSession session) {
        this.session = session;
        this.api = new Remote(session, "network");
    }

    /** Whether the cloud has a networking service at all. */
    public boolean available() {
        return api.available();
    }

    /** The network as the token's owner sees it, or empty. */
    public Optional<JsonNode> network(String token, String id) {
        return show(token, "networks", "network", id);
    }

    /** The network as the service sees it, or empty. */
    public Optional<JsonNode> network(String id) {
        return network(session.token(), id);
    }

    /** The port as the token's owner sees it, or empty. */
    public Optional<JsonNode> port(String token, String id) {
        return show(token, "ports", "port", id);
    }

    /** The networks the token's owner sees that match every filter (attribute = value). */
    public List<JsonNode> networks(String token, Map<String, String> filters) {
        return list(token, "networks", "networks", filters);
    }

    /** The security groups the token's owner sees that match every filter. */
    public List<JsonNode> securityGroups(String token, Map<String, String> filters) {
        return list(token, "security-groups", "security_groups", filters);
    }

    /** The security group as the token's owner sees it, or empty. */
    public Optional<JsonNode> securityGroup(String token, String id) {
        return show(token, "security-groups", "security_group", id);
    }

    /** The security group as the service sees it, or empty. */
    public Optional<JsonNode> securityGroup(String id) {
        return securityGroup(session.token(), id);
    }

    /** The floating IPs matching every filter, as the service sees them. */
    public List<JsonNode> floatingIps(Map<String, String> filters) {
        return list(session.token(), "floatingips", "floatingips", filters);
    }

    /** The ports matching every filter (attribute = value), as the service sees them. */
    public List<JsonNode> ports(Map<String, String> filters) {
        return list(session.token(), "ports", "ports", filters);
    }

    private List<JsonNode> list(String token, String collection, String key, Map<String, String> filters) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        filters.forEach((k, v) -> query.add(encode(k) + "=" + encode(v)));
        HttpResponse<byte[]> answer = api.send(api.request("/v2.0/" + collection + query, token).GET().build());
        if (answer.statusCode() != 200) {
            throw api.failed("list " + collection, answer);
        }
        List<JsonNode> found = new ArrayList<>();
        Json.parse(answer.body()).path(key).forEach(found::add);
        return found;
    }

    /** Creates a port with the service token; a refusal keeps the network service's status and message. */
    public JsonNode createPort(ObjectNode port) {
        HttpResponse<byte[]> answer = api.send(api.request("/v2.0/ports", session.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(Json.object().set("port", port)))).build());
        if (answer.statusCode() != 201) {
            throw refused("create a port", answer);
        }
        return Json.parse(answer.body()).path("port");
    }

    /** Changes a port with the service token. */
    public JsonNode updatePort(String id, ObjectNode changes) {
        HttpResponse<byte[]> answer = api.send(api.request("/v2.0/ports/" + id, session.token()).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(Json.object().set("port", changes)))).build());
        if (answer.statusCode() != 200) {
            throw refused("update port " + id, answer);
        }
        return Json.parse(answer.body()).path("port");
    }

    /** Deletes a port with the service token; a missing port is deleted already. */
    public void deletePort(String id) {
        HttpResponse<byte[]> answer = api.send(api.request("/v2.0/ports/" + id, session.token()).DELETE().build());
        if (answer.statusCode() != 204 && answer.statusCode() != 404) {
            throw api.failed("delete port " + id, answer);
        }
    }

    /** The network of the project's auto-allocated topology, made on first use (Nova's networks=auto). */
    public String autoAllocatedNetwork(String projectId) {
        HttpResponse<byte[]> answer = api.send(api.request("/v2.0/auto-allocated-topology/" + encode(projectId), session.token())
                .GET().build());
        if (answer.statusCode() != 200) {
            throw refused("find or make the network of project " + projectId, answer);
        }
        return Json.parse(answer.body()).path("auto_allocated_topology").path("id").asText();
    }

    private Optional<JsonNode> show(String token, String collection, String member, String id) {
        HttpResponse<byte[]> answer = api.send(api.request("/v2.0/" + collection + "/" + encode(id), token).GET().build());
        return switch (answer.statusCode()) {
            case 200 -> Optional.of(Json.parse(answer.body()).path(member));
            case 404 -> Optional.empty();
            default -> throw api.failed("show " + member + " " + id, answer);
        };
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A 4xx of the network service as the same kind of fault, with its message; anything else as 503. */
    private ApiException refused(String what, HttpResponse<byte[]> answer) {
        ApiException.Kind kind = ApiException.Kind.of(answer.statusCode()).orElse(null);
        if (kind == null || answer.statusCode() >= 500) {
            return api.failed(what, answer);
        }
        String message;
        try {
            message = Json.parse(answer.body()).path("NeutronError").path("message").asText("");
        } catch (RuntimeException e) {
            message = "";
        }
        return new ApiException(kind, message.isEmpty() ? "The network service could not " + what + "." : message);
    }
}
