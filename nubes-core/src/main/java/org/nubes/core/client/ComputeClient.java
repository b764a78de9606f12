package org.nubes.core.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collection;
import org.nubes.core.json.Json;

/** The compute service (Nova v2.1) as another service sees it: only what other services tell it. */
public final class ComputeClient {
    private final ServiceSession session;
    private final Remote api;

    public ComputeClient(ServiceSession session) {
        this.session = session;
        this.api = new Remote(session, "compute");
    }

    /**
     * Tells the compute service that the servers' networking changed (Neutron's network-changed
     * event: a floating IP came or went), so that it reads their interfaces again.
     */
    public void networkChanged(Collection<String> serverIds) {
        if (serverIds.isEmpty() || !api.available()) {
            return;
        }
        ObjectNode body = Json.object();
        ArrayNode events = body.putArray("events");
        serverIds.forEach(id -> events.addObject().put("name", "network-changed").put("server_uuid", id));
        HttpResponse<byte[]> answer = api.send(api.request("/os-server-external-events", session.token())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build());
        if (answer.statusCode() != 200 && answer.statusCode() != 207 && answer.statusCode() != 404) {
            throw api.failed("take server events", answer);
        }
    }
}
