package org.nubes.compute.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.Map;
import org.nubes.compute.service.Hosts;
import org.nubes.compute.store.Instance;

/**
 * The scheduler's filters (a host passes all or is dropped) and its weigher, after Nova's
 * defaults: ComputeFilter, AvailabilityZoneFilter, RAM/core/disk capacity with allocation ratios,
 * ImagePropertiesFilter, (anti-)affinity, SameHost/DifferentHost; then spread by free RAM.
 */
final class Filters {
    private Filters() {}

    static boolean passes(Scheduler.Candidate c, Instance server, Scheduler.Request request,
            Map<String, Integer> groupHosts, Hosts hosts) {
        String host = c.host().host();
        if (request.forcedHost() != null) {
            // A forced host skips the filters, as in Nova; it must still exist.
            return request.forcedHost().equals(host);
        }
        return enabledAndUp(c, hosts)
                && (request.zone() == null || request.zone().equals(c.host().zone()))
                && c.memoryMb() - c.usedMemoryMb() >= server.flavor().memoryMb()
                && c.vcpus() - c.usedVcpus() >= server.flavor().vcpus()
                && c.diskGb() - c.usedDiskGb() >= Scheduler.diskOf(server)
                && imageFits(c, request.imageProperties())
                && groupAllows(host, request, groupHosts)
                && (request.differentHost() == null || !request.differentHost().contains(host))
                && (request.sameHost() == null || request.sameHost().isEmpty() || request.sameHost().contains(host));
    }

    private static boolean enabledAndUp(Scheduler.Candidate c, Hosts hosts) {
        return !c.host().disabled() && hosts.isUp(c.host());
    }

    /** Image properties that name a hypervisor type or an architecture must match the host's. */
    private static boolean imageFits(Scheduler.Candidate c, JsonNode image) {
        String hypervisor = firstText(image, "img_hv_type", "hypervisor_type");
        if (hypervisor != null && !hypervisor.equalsIgnoreCase(c.host().node().hypervisorType())) {
            return false;
        }
        String architecture = firstText(image, "hw_architecture", "architecture");
        return architecture == null || c.host().node().cpuInfo().contains("\"arch\": \"" + architecture + "\"");
    }

    private static boolean groupAllows(String host, Scheduler.Request request, Map<String, Integer> groupHosts) {
        if (request.group() == null) {
            return true;
        }
        return switch (request.group().policy()) {
            case "affinity" -> groupHosts.isEmpty() || groupHosts.containsKey(host);
            case "anti-affinity" -> groupHosts.getOrDefault(host, 0) < maxPerHost(request);
            default -> true;
        };
    }

    /** anti-affinity's rule max_server_per_host, 1 when not given. */
    private static int maxPerHost(Scheduler.Request request) {
        Object value = request.group().rules().get("max_server_per_host");
        return value instanceof Number n ? n.intValue() : 1;
    }

    /** Soft (anti-)affinity first, then the most free RAM: servers spread over the hosts. */
    static Comparator<Scheduler.Candidate> weigher(Scheduler.Request request, Map<String, Integer> groupHosts) {
        Comparator<Scheduler.Candidate> byRam = Comparator.comparingDouble(Scheduler.Candidate::freeMemoryMb).reversed();
        if (request.group() == null) {
            return byRam;
        }
        Comparator<Scheduler.Candidate> members = Comparator.comparingInt(c -> groupHosts.getOrDefault(c.host().host(), 0));
        return switch (request.group().policy()) {
            case "soft-affinity" -> members.reversed().thenComparing(byRam);
            case "soft-anti-affinity" -> members.thenComparing(byRam);
            default -> byRam;
        };
    }

    private static String firstText(JsonNode node, String... fields) {
        for (String field : fields) {
            JsonNode value = node.path(field);
            if (value.isTextual() && !value.asText().isEmpty()) {
                return value.asText();
            }
        }
        return null;
    }
}
