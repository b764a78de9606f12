package org.nubes.compute.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.nubes.compute.ComputeConfig;
import org.nubes.compute.service.Hosts;
import org.nubes.compute.service.ServerGroups;
import org.nubes.compute.service.ServerStatus;
import org.nubes.compute.service.Servers;
import org.nubes.compute.store.ActionStore;
import org.nubes.compute.store.Instance;
import org.nubes.compute.store.InstanceStore;
import org.nubes.core.bus.Message;
import org.nubes.core.bus.MessageBus;
import org.nubes.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places new servers on hosts: filters drop the hosts that cannot take a server, a weigher orders
 * the rest (spread by free RAM), and the claim writes the host into the server's row before its
 * agent is asked to build it. What a host uses is counted from the servers placed on it; counting
 * all servers for every decision would cost more than the decision, so the counts are kept here,
 * raised by each claim, and read again from the database every few seconds (servers deleted
 * meanwhile free their room then) and before a server is refused for lack of room. Decisions of
 * this process are made one at a time; schedulers on several nodes may both claim the last room
 * of a host until the next count.
 */
public final class Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    private static final String SCHEDULE_EVENT = "schedule_instances";
    public static final String NO_VALID_HOST = "No valid host was found. There are not enough hosts available.";

    private final ComputeConfig config;
    private final Hosts hosts;
    private final InstanceStore instances;
    private final ActionStore actions;
    private final MessageBus bus;
    private MessageBus.Subscription subscription;
    /** How long counted usage is trusted before it is read again. */
    private static final long USAGE_TTL_NANOS = 5_000_000_000L;
    private Map<String, InstanceStore.HostUsage> usage;
    private long usageReadAt;

    public Scheduler(ComputeConfig config, Hosts hosts, InstanceStore instances, ActionStore actions, MessageBus bus) {
        this.config = config;
        this.hosts = hosts;
        this.instances = instances;
        this.actions = actions;
        this.bus = bus;
    }

    public void start() {
        subscription = bus.subscribe(Servers.SCHEDULER_TOPIC, message -> {
            if ("select_destinations".equals(message.method())) {
                schedule(message.args());
            } else {
                LOG.warn("scheduler ignores unknown method {}", message.method());
            }
            return null;
        });
    }

    public void stop() {
        if (subscription != null) {
            subscription.close();
        }
    }

    /** A host as the filters see it: what it has (times the allocation ratios) and what it uses. */
    public record Candidate(Hosts.Host host, double vcpus, double memoryMb, double diskGb,
            int usedVcpus, int usedMemoryMb, int usedDiskGb) {

        double freeMemoryMb() {
            return memoryMb - usedMemoryMb;
        }

        Candidate plus(Instance server) {
            return new Candidate(host, vcpus, memoryMb, diskGb, usedVcpus + server.flavor().vcpus(),
                    usedMemoryMb + server.flavor().memoryMb(), usedDiskGb + diskOf(server));
        }
    }

    /** What one request asked of the placement beyond the flavor. */
    public record Request(String zone, String forcedHost, JsonNode imageProperties, ServerGroups.Group group,
            Set<String> differentHost, Set<String> sameHost) {}

    synchronized void schedule(JsonNode args) {
        long started = System.nanoTime();
        String requestId = args.path("request_id").asText();
        List<Instance> servers = new ArrayList<>();
        args.path("instance_ids").forEach(id -> instances.get(id.asText()).ifPresent(servers::add));
        Map<String, Candidate> candidates = candidates();
        Request request = new Request(text(args, "availability_zone"), text(args, "forced_host"),
                args.path("image_properties"), group(text(args, "group")), hostsOf(args.path("different_host")),
                hostsOf(args.path("same_host")));
        Map<String, Integer> groupHosts = groupHosts(request.group());
        for (Instance server : servers) {
            Instant decisionStarted = Instant.now();
            Optional<Candidate> chosen = choose(server, request, candidates.values(), groupHosts);
            if (chosen.isEmpty() && usageReadAt - started < 0) {
                // Room may have been freed since the last count: count again before refusing.
                usage = null;
                candidates = candidates();
                chosen = choose(server, request, candidates.values(), groupHosts);
            }
            if (chosen.isEmpty()) {
                fail(server, requestId, decisionStarted);
                continue;
            }
            Candidate host = chosen.get();
            Map<String, Object> claim = new HashMap<>();
            claim.put("host", host.host().host());
            claim.put("node", host.host().node().hypervisorHostname());
            claim.put("availability_zone", host.host().zone());
            if (!instances.update(server.id(), java.util.Arrays.asList("scheduling"), claim, Instant.now())) {
                actions.recordEvent(server.id(), requestId, SCHEDULE_EVENT, decisionStarted, false,
                        "the server was deleted while it was being scheduled", Instant.now());
                continue;
            }
            candidates.put(host.host().host(), host.plus(server));
            usage.merge(host.host().host(), new InstanceStore.HostUsage(server.flavor().vcpus(), server.flavor().memoryMb(),
                    diskOf(server), 1), (a, b) -> new InstanceStore.HostUsage(a.vcpus() + b.vcpus(),
                    a.memoryMb() + b.memoryMb(), a.diskGb() + b.diskGb(), a.instances() + b.instances()));
            groupHosts.merge(host.host().host(), 1, Integer::sum);
            actions.recordEvent(server.id(), requestId, SCHEDULE_EVENT, decisionStarted, true, null, Instant.now());
            ObjectNode build = Json.object().put("instance_id", server.id()).put("request_id", requestId);
            build.set("image_properties", request.imageProperties());
            build.set("requested_networks", args.path("requested_networks"));
            build.set("security_groups", args.path("security_groups"));
            bus.cast(Servers.COMPUTE_TOPIC + host.host().host(), new Message("build_and_run_instance", build));
        }
    }

    /** The hosts that pass every filter, best first; the first is chosen. */
    Optional<Candidate> choose(Instance server, Request request, java.util.Collection<Candidate> all,
            Map<String, Integer> groupHosts) {
        List<Candidate> passing = new ArrayList<>();
        for (Candidate candidate : all) {
            if (Filters.passes(candidate, server, request, groupHosts, hosts)) {
                passing.add(candidate);
            }
        }
        passing.sort(Filters.weigher(request, groupHosts));
        return passing.stream().findFirst();
    }

    private void fail(Instance server, String requestId, Instant decisionStarted) {
        Map<String, Object> error = new HashMap<>();
        error.put("vm_state", ServerStatus.ERROR);
        error.put("task_state", null);
        error.put("fault", new Instance.Fault(500, NO_VALID_HOST, "", Instant.now()));
        instances.update(server.id(), java.util.Arrays.asList("scheduling"), error, Instant.now());
        actions.recordEvent(server.id(), requestId, SCHEDULE_EVENT, decisionStarted, false, NO_VALID_HOST, Instant.now());
    }

    private Map<String, Candidate> candidates() {
        if (usage == null || System.nanoTime() - usageReadAt > USAGE_TTL_NANOS) {
            usage = new HashMap<>(instances.usageByHost());
            usageReadAt = System.nanoTime();
        }
        Map<String, Candidate> candidates = new HashMap<>();
        for (Hosts.Host host : hosts.all()) {
            if (host.node() == null) {
                continue;
            }
            InstanceStore.HostUsage used = usage.getOrDefault(host.host(), new InstanceStore.HostUsage(0, 0, 0, 0));
            ComputeConfig.AllocationRatios ratios = config.ratios();
            candidates.put(host.host(), new Candidate(host, host.node().vcpus() * ratios.cpu(),
                    host.node().memoryMb() * ratios.ram(), host.node().diskGb() * ratios.disk(),
                    used.vcpus(), used.memoryMb(), used.diskGb()));
        }
        return candidates;
    }

    private ServerGroups.Group group(String id) {
        return id == null ? null : instances.jdbi().withHandle(h -> ServerGroups.get(h, id)).orElse(null);
    }

    /** How many members of the group each host already has. */
    private Map<String, Integer> groupHosts(ServerGroups.Group group) {
        Map<String, Integer> counts = new HashMap<>();
        if (group != null) {
            for (String member : group.members()) {
                instances.get(member).filter(i -> i.host() != null).ifPresent(i -> counts.merge(i.host(), 1, Integer::sum));
            }
        }
        return counts;
    }

    private Set<String> hostsOf(JsonNode ids) {
        Set<String> found = new HashSet<>();
        ids.forEach(id -> instances.get(id.asText()).filter(i -> i.host() != null).ifPresent(i -> found.add(i.host())));
        return ids.isEmpty() ? null : found;
    }

    /** The root disk is what a host's disk holds per server (ephemeral and swap are not placed yet). */
    static int diskOf(Instance server) {
        return server.flavor().rootGb();
    }

    private static String text(JsonNode args, String field) {
        JsonNode value = args.path(field);
        return value.isTextual() ? value.asText() : null;
    }
}
