package org.nubes.compute.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.nubes.compute.service.Hosts;
import org.nubes.core.auth.Access;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/**
 * os-availability-zone: the zones of the compute services. A zone is available while one of its
 * services is enabled; the detail (admin) lists the enabled services of each available zone by host.
 */
public final class AvailabilityZoneApi {
    private final Hosts hosts;

    public AvailabilityZoneApi(Hosts hosts) {
        this.hosts = hosts;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/os-availability-zone", Access.rule("os_compute_api:os-availability-zone:list"),
                ctx -> describe(ctx, false));
        routes.get("/v2.1/os-availability-zone/detail", Access.rule("os_compute_api:os-availability-zone:detail"),
                ctx -> describe(ctx, true));
    }

    private void describe(Context ctx, boolean detail) {
        List<Hosts.Host> all = hosts.all();
        TreeSet<String> available = new TreeSet<>();
        TreeSet<String> unavailable = new TreeSet<>();
        for (Hosts.Host h : all) {
            (h.disabled() ? unavailable : available).add(h.zone());
        }
        unavailable.removeAll(available);
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("availabilityZoneInfo");
        for (String zone : available) {
            ObjectNode entry = list.addObject().put("zoneName", zone);
            entry.putObject("zoneState").put("available", true);
            if (detail) {
                Map<String, ObjectNode> byHost = new TreeMap<>();
                for (Hosts.Host h : all) {
                    if (!h.disabled() && h.zone().equals(zone)) {
                        byHost.computeIfAbsent(h.host(), k -> Json.object()).putObject(Hosts.BINARY)
                                .put("available", hosts.isUp(h)).put("active", true)
                                .put("updated_at", Input.time(h.lastSeenAt() != null ? h.lastSeenAt() : h.updatedAt()));
                    }
                }
                ObjectNode hostsNode = entry.putObject("hosts");
                byHost.forEach(hostsNode::set);
            } else {
                entry.putNull("hosts");
            }
        }
        for (String zone : unavailable) {
            ObjectNode entry = list.addObject().put("zoneName", zone);
            entry.putObject("zoneState").put("available", false);
            entry.putNull("hosts");
        }
        Http.json(ctx, body);
    }
}
