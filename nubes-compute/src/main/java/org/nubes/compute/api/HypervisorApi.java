package org.nubes.compute.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.nubes.compute.service.AgentCalls;
import org.nubes.compute.service.Hosts;
import org.nubes.compute.store.Instance;
import org.nubes.compute.store.InstanceStore;
import org.nubes.core.auth.Access;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Microversion;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/**
 * os-hypervisors: the compute nodes the agents report, with what the servers on them use. From
 * 2.33 lists page (limit, marker); from 2.53 ids are UUIDs, and hypervisor_hostname_pattern and
 * with_servers replace the search and servers routes.
 */
public final class HypervisorApi {
    static final Pattern UUID = Pattern.compile("^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$");

    private final Hosts hosts;
    private final InstanceStore instances;
    private final org.nubes.core.bus.MessageBus bus;

    public HypervisorApi(Hosts hosts, InstanceStore instances, org.nubes.core.bus.MessageBus bus) {
        this.bus = bus;
        this.hosts = hosts;
        this.instances = instances;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/os-hypervisors", Access.rule("os_compute_api:os-hypervisors:list"), ctx -> list(ctx, false));
        routes.get("/v2.1/os-hypervisors/detail", Access.rule("os_compute_api:os-hypervisors:list-detail"),
                ctx -> list(ctx, true));
        routes.get("/v2.1/os-hypervisors/statistics", Access.rule("os_compute_api:os-hypervisors:statistics"),
                this::statistics);
        routes.get("/v2.1/os-hypervisors/{hypervisor_id}", Access.rule("os_compute_api:os-hypervisors:show"), this::show);
        routes.get("/v2.1/os-hypervisors/{hypervisor_id}/uptime", Access.rule("os_compute_api:os-hypervisors:uptime"),
                this::uptime);
        routes.get("/v2.1/os-hypervisors/{pattern}/search", Access.rule("os_compute_api:os-hypervisors:search"),
                ctx -> search(ctx, false));
        routes.get("/v2.1/os-hypervisors/{pattern}/servers", Access.rule("os_compute_api:os-hypervisors:servers"),
                ctx -> search(ctx, true));
    }

    /** The hosts that have reported a node, in the order they first did. */
    private List<Hosts.Host> nodes() {
        List<Hosts.Host> nodes = new ArrayList<>(hosts.all().stream().filter(h -> h.node() != null).toList());
        nodes.sort(Comparator.comparingLong(h -> h.node().seq()));
        return nodes;
    }

    private static String id(Hosts.Host h, Microversion version) {
        return version.atLeast(2, 53) ? h.node().id() : String.valueOf(h.node().seq());
    }

    private static void putId(ObjectNode view, String field, String uuid, long seq, Microversion version) {
        if (version.atLeast(2, 53)) {
            view.put(field, uuid);
        } else {
            view.put(field, seq);
        }
    }

    private void list(Context ctx, boolean detail) {
        Microversion version = Http.microversion(ctx);
        String pattern = null;
        boolean withServers = false;
        if (version.atLeast(2, 53)) {
            pattern = ctx.queryParam("hypervisor_hostname_pattern");
            withServers = withServers(ctx);
        }
        boolean paged = version.atLeast(2, 33);
        List<Hosts.Host> nodes = nodes();
        boolean links = paged;
        int limit = FlavorApi.MAX_LIMIT;
        if (pattern != null) {
            if (ctx.queryParam("limit") != null || ctx.queryParam("marker") != null) {
                throw ApiException.badRequest("Paging over hypervisors with the hypervisor_hostname_pattern query "
                        + "parameter is not supported.");
            }
            links = false;
            nodes = matching(nodes, pattern);
        } else if (paged) {
            Integer asked = Input.queryInt(ctx, "limit");
            limit = asked == null ? FlavorApi.MAX_LIMIT : Math.min(asked, FlavorApi.MAX_LIMIT);
            String marker = ctx.queryParam("marker");
            if (marker != null) {
                int at = -1;
                for (int i = 0; i < nodes.size(); i++) {
                    if (id(nodes.get(i), version).equals(marker)) {
                        at = i;
                    }
                }
                if (at < 0) {
                    throw ApiException.badRequest("marker [%s] not found", marker);
                }
                nodes = nodes.subList(at + 1, nodes.size());
            }
            nodes = nodes.subList(0, Math.min(limit, nodes.size()));
        }
        Map<String, InstanceStore.HostUsage> usage = usage(detail);
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("hypervisors");
        for (Hosts.Host h : nodes) {
            list.add(view(h, detail, version, usage, withServers ? instances.onHost(h.host()) : null));
        }
        if (links && limit > 0 && nodes.size() == limit) {
            body.putArray("hypervisors_links").add(FlavorApi.nextLink(ctx,
                    detail ? "os-hypervisors/detail" : "os-hypervisors", id(nodes.getLast(), version)));
        }
        Http.json(ctx, body);
    }

    private Map<String, InstanceStore.HostUsage> usage(boolean detail) {
        return detail ? instances.usageByHost() : Map.of();
    }

    private static boolean withServers(Context ctx) {
        String text = ctx.queryParam("with_servers");
        if (text == null) {
            return false;
        }
        Boolean value = Input.strictBool(text);
        if (value == null) {
            throw Input.invalidQuery("with_servers", text, "'" + text + "' is not a valid boolean");
        }
        return value;
    }

    /** Nodes whose hypervisor hostname contains the pattern (SQL LIKE %pattern%), or Nova's 404. */
    private static List<Hosts.Host> matching(List<Hosts.Host> nodes, String pattern) {
        List<Hosts.Host> found = nodes.stream().filter(h -> h.node().hypervisorHostname().contains(pattern)).toList();
        if (found.isEmpty()) {
            throw ApiException.notFound("No hypervisor matching '%s' could be found.", pattern);
        }
        return found;
    }

    private ObjectNode view(Hosts.Host h, boolean detail, Microversion version, Map<String, InstanceStore.HostUsage> usage,
            List<Instance> servers) {
        Hosts.Node n = h.node();
        ObjectNode view = Json.object();
        putId(view, "id", n.id(), n.seq(), version);
        view.put("hypervisor_hostname", n.hypervisorHostname())
                .put("state", hosts.isUp(h) ? "up" : "down")
                .put("status", h.disabled() ? "disabled" : "enabled");
        if (detail) {
            view.put("hypervisor_type", n.hypervisorType()).put("hypervisor_version", n.hypervisorVersion())
                    .put("host_ip", n.hostIp());
            ObjectNode service = view.putObject("service");
            putId(service, "id", h.serviceId(), h.serviceSeq(), version);
            service.put("host", h.host()).put("disabled_reason", h.disabledReason());
            InstanceStore.HostUsage used = usage.getOrDefault(h.host(), new InstanceStore.HostUsage(0, 0, 0, 0));
            view.put("vcpus", n.vcpus()).put("memory_mb", n.memoryMb()).put("local_gb", n.diskGb())
                    .put("vcpus_used", used.vcpus()).put("memory_mb_used", used.memoryMb())
                    .put("local_gb_used", used.diskGb()).put("free_ram_mb", n.memoryMb() - used.memoryMb())
                    .put("free_disk_gb", n.diskGb() - used.diskGb()).put("current_workload", 0)
                    .put("running_vms", used.instances()).put("disk_available_least", n.diskGb() - used.diskGb());
            if (version.atLeast(2, 28)) {
                view.set("cpu_info", cpuInfo(n.cpuInfo()));
            } else {
                view.put("cpu_info", n.cpuInfo());
            }
        }
        if (servers != null && !servers.isEmpty()) {
            ArrayNode list = view.putArray("servers");
            servers.forEach(s -> list.addObject().put("name", s.name()).put("uuid", s.id()));
        }
        return view;
    }

    private static JsonNode cpuInfo(String text) {
        if (text == null || text.isBlank()) {
            return Json.object();
        }
        try {
            return Json.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return Json.object();
        }
    }

    private void show(Context ctx) {
        Microversion version = Http.microversion(ctx);
        String id = ctx.pathParam("hypervisor_id");
        boolean withServers = false;
        if (version.atLeast(2, 53)) {
            if (!UUID.matcher(id).matches()) {
                throw ApiException.badRequest("Invalid uuid %s", id);
            }
            withServers = withServers(ctx);
        } else if (!id.matches("^-?[0-9]+$")) {
            throw notFound(id);
        }
        Hosts.Host h = find(id, version);
        Http.json(ctx, Json.object().set("hypervisor",
                view(h, true, version, instances.usageByHost(), withServers ? instances.onHost(h.host()) : null)));
    }

    private Hosts.Host find(String id, Microversion version) {
        return nodes().stream().filter(n -> version.atLeast(2, 53)
                        ? n.node().id().equalsIgnoreCase(id) : String.valueOf(n.node().seq()).equals(stripZeros(id)))
                .findFirst().orElseThrow(() -> notFound(id));
    }

    /** GET /os-hypervisors/{id}/uptime: the host's own uptime line, asked of its agent. */
    private void uptime(Context ctx) {
        Microversion version = Http.microversion(ctx);
        String id = ctx.pathParam("hypervisor_id");
        if (version.atLeast(2, 53) && !UUID.matcher(id).matches()) {
            throw ApiException.badRequest("Invalid uuid %s", id);
        }
        Hosts.Host h = find(id, version);
        ObjectNode view = view(h, false, version, Map.of(), null);
        view.put("uptime", AgentCalls.call(bus, h.host(), "get_host_uptime", Json.object()).path("uptime").asText());
        Http.json(ctx, Json.object().set("hypervisor", view));
    }

    private static String stripZeros(String number) {
        try {
            return String.valueOf(Long.parseLong(number));
        } catch (NumberFormatException e) {
            return number;
        }
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("Hypervisor with ID '%s' could not be found.", id);
    }

    /** The search and servers routes of 2.1 to 2.52. */
    private void search(Context ctx, boolean servers) {
        Microversion version = Http.microversion(ctx);
        if (version.atLeast(2, 53)) {
            throw ApiException.notFound("The resource could not be found.");
        }
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("hypervisors");
        for (Hosts.Host h : matching(nodes(), ctx.pathParam("pattern"))) {
            list.add(view(h, false, version, Map.of(), servers ? instances.onHost(h.host()) : null));
        }
        Http.json(ctx, body);
    }

    /** Sums over the nodes of enabled services, as Nova's statistics. */
    private void statistics(Context ctx) {
        Map<String, InstanceStore.HostUsage> usage = instances.usageByHost();
        long count = 0;
        long vcpus = 0;
        long ram = 0;
        long disk = 0;
        long vcpusUsed = 0;
        long ramUsed = 0;
        long diskUsed = 0;
        long vms = 0;
        for (Hosts.Host h : nodes()) {
            if (h.disabled()) {
                continue;
            }
            InstanceStore.HostUsage used = usage.getOrDefault(h.host(), new InstanceStore.HostUsage(0, 0, 0, 0));
            count++;
            vcpus += h.node().vcpus();
            ram += h.node().memoryMb();
            disk += h.node().diskGb();
            vcpusUsed += used.vcpus();
            ramUsed += used.memoryMb();
            diskUsed += used.diskGb();
            vms += used.instances();
        }
        ObjectNode stats = Json.object().put("count", count).put("current_workload", 0)
                .put("disk_available_least", disk - diskUsed).put("free_disk_gb", disk - diskUsed)
                .put("free_ram_mb", ram - ramUsed).put("local_gb", disk).put("local_gb_used", diskUsed)
                .put("memory_mb", ram).put("memory_mb_used", ramUsed).put("running_vms", vms).put("vcpus", vcpus)
                .put("vcpus_used", vcpusUsed);
        Http.json(ctx, Json.object().set("hypervisor_statistics", stats));
    }
}
