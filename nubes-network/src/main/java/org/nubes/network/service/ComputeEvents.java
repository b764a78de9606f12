package org.nubes.network.service;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.nubes.core.client.ComputeClient;
import org.nubes.network.store.ResourceStore.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the compute service when a server's networking changed behind its back, as Neutron's
 * Nova notifier does: a floating IP associated with one of its ports, or taken away. Sent after
 * the change committed, on a thread of its own: the request that made the change does not wait.
 */
public final class ComputeEvents {
    private static final Logger LOG = LoggerFactory.getLogger(ComputeEvents.class);

    private final Resources resources;
    private final ComputeClient compute;
    /** The server each floating IP was last seen on, to tell it when the address leaves. */
    private final Map<String, String> serverOfFloatingIp = new HashMap<>();

    public ComputeEvents(Resources resources, ComputeClient compute) {
        this.resources = resources;
        this.compute = compute;
    }

    /** After a commit: the servers whose floating IPs changed are told. */
    public void changed(Map<String, Row> written) {
        Set<String> servers = new LinkedHashSet<>();
        synchronized (serverOfFloatingIp) {
            for (Map.Entry<String, Row> change : written.entrySet()) {
                String id = change.getKey();
                Optional<Row> row = Optional.ofNullable(change.getValue());
                if (row.isPresent() ? !row.get().kind().equals("floatingip") : !serverOfFloatingIp.containsKey(id)) {
                    continue;
                }
                String before = row.isEmpty() ? serverOfFloatingIp.remove(id) : serverOfFloatingIp.get(id);
                String now = row.map(this::server).orElse(null);
                if (before != null && !before.equals(now)) {
                    servers.add(before);
                }
                if (now != null) {
                    servers.add(now);
                    serverOfFloatingIp.put(id, now);
                } else if (row.isPresent()) {
                    serverOfFloatingIp.remove(id);
                }
            }
        }
        if (!servers.isEmpty()) {
            Thread.ofVirtual().name("compute-events").start(() -> {
                try {
                    compute.networkChanged(servers);
                } catch (RuntimeException e) {
                    LOG.warn("cannot tell the compute service that servers {} changed: {}", servers, e.getMessage());
                }
            });
        }
    }

    /** The server whose port holds the floating IP, or null. */
    private String server(Row floatingIp) {
        String portId = floatingIp.body().path("port_id").asText(null);
        if (portId == null) {
            return null;
        }
        return resources.transaction(h -> resources.store().find(h, "port", portId))
                .map(Row::body).filter(p -> p.path("device_owner").asText("").startsWith("compute:"))
                .map(p -> p.path("device_id").asText()).filter(s -> !s.isEmpty()).orElse(null);
    }
}
