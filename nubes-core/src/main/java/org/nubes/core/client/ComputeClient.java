package org.nubes.core.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import org.nubes.core.json.Json;

/** The compute service (Nova v2.1) as another service sees it: only what other services tell it. */
public final class ComputeClient {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final ServiceSession session;

    public ComputeClient(ServiceSession session) {
        this.session = session;
    }

    /**
     * Tells the compute service that the servers' networking changed (Neutron's network-changed
     * event: a floating IP came or went), so that it reads their interfaces again.
     */
    public void networkChanged(Collection<String> serverIds) {
        if (serverIds.isEmpty() || session.findEndpoint("compute").isEmpty()) {
            return;
        }
        ObjectNode body = Json.object();
        ArrayNode events = body.putArray("events");
        serverIds.forEach(id -> events.addObject().put("name", "network-changed").put("server_uuid", id));
        HttpRequest request = HttpRequest.newBuilder(URI.create(session.endpoint("compute") + "/os-server-external-events"))
                .timeout(CALL_TIMEOUT).header("X-Auth-Token", session.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build();
        HttpResponse<byte[]> answer = Remote.send(session.http(), request, HttpResponse.BodyHandlers.ofByteArray(), "compute");
        if (answer.statusCode() != 200 && answer.statusCode() != 207 && answer.statusCode() != 404) {
            throw Remote.failed("compute", "take server events", answer);
        }
    }
}
