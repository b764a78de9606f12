package org.nubes.compute.service;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.nubes.core.json.Json;

/**
 * What a server create asks of the networks (Nova's requested networks): a network of the
 * project found or made for it ("auto"), none at all, or listed networks and ports, each a port
 * of its own. It travels with the build request to the host, which makes and binds the ports.
 */
public sealed interface RequestedNetworks {
    /** The project's network, found or made by the networking service. */
    record Auto() implements RequestedNetworks {}

    /** No port at all. */
    record None() implements RequestedNetworks {}

    /** One port per entry: on a network (with a fixed IP or any), or an existing port. */
    record Listed(List<Requested> entries) implements RequestedNetworks {
        public Listed {
            entries = List.copyOf(entries);
        }
    }

    /** A network id (then maybe a fixed IP), or a port id. */
    record Requested(String networkId, String portId, String fixedIp) {}

    /** As the build request carries it: "auto", "none", or a list of {uuid, port, fixed_ip}. */
    default JsonNode toJson() {
        return switch (this) {
            case Auto a -> Json.MAPPER.getNodeFactory().textNode("auto");
            case None n -> Json.MAPPER.getNodeFactory().textNode("none");
            case Listed listed -> {
                var list = Json.array();
                for (Requested r : listed.entries()) {
                    var entry = list.addObject();
                    if (r.networkId() != null) {
                        entry.put("uuid", r.networkId());
                    }
                    if (r.portId() != null) {
                        entry.put("port", r.portId());
                    }
                    if (r.fixedIp() != null) {
                        entry.put("fixed_ip", r.fixedIp());
                    }
                }
                yield list;
            }
        };
    }

    /** Back from {@link #toJson()}; a request without it (older ones) asked for none. */
    static RequestedNetworks fromJson(JsonNode json) {
        if (json == null || json.isMissingNode() || json.isNull() || "none".equals(json.asText())) {
            return new None();
        }
        if ("auto".equals(json.asText())) {
            return new Auto();
        }
        List<Requested> entries = new ArrayList<>();
        for (JsonNode entry : json) {
            entries.add(new Requested(entry.path("uuid").asText(null), entry.path("port").asText(null),
                    entry.path("fixed_ip").asText(null)));
        }
        return new Listed(entries);
    }
}
