package org.nubes.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The compute benchmark on the real container driver (crun): create to ACTIVE and to the guest's
 * first console line, one server at a time, and how many 64 MiB servers one host holds running
 * (with the memory they cost). bench/container starts the server and calls {@code run} (and
 * {@code cleanup} when run failed), then {@code report}.
 */
@Command(name = "container-bench", mixinStandardHelpOptions = true,
        description = "Benchmarks server boot and density of the Nubes compute API on the container driver.",
        subcommands = {ContainerBench.Run.class, ContainerBench.Cleanup.class, ContainerBench.Print.class})
public final class ContainerBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MICROVERSION = "compute 2.53";
    /** What the starter image's init prints to the console once it booted (StarterImage.BOOT_LINE). */
    static final String BOOT_LINE = "nubes-starter: booted";
    static final String IMAGE = "busybox";
    static final String DENSITY_FLAVOR = "bench.64";
    static final int DENSITY_FLAVOR_MB = 64;
    /** The targets of the issue. */
    private static final double ACTIVE_P50_TARGET_MS = 150;
    private static final int DENSITY_TARGET = 300;
    private static final double PINGABLE_P50_TARGET_MS = 300;

    /** The compute API as the admin, scoped to the admin project. */
    static final class Cloud {
        final HttpClient client;
        final URI compute;
        final URI image;
        final String token;

        Cloud(String identityUrl, String imageUrl, String computeUrl, Path clouds) throws Exception {
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            compute = Nova.local(computeUrl);
            image = imageUrl == null ? null : Nova.local(imageUrl);
            token = Nova.token(client, Nova.local(identityUrl), IdentityBench.Credentials.read(clouds));
        }

        HttpRequest.Builder request(String pathAndQuery) {
            return HttpRequest.newBuilder(URI.create(compute + pathAndQuery)).header("X-Auth-Token", token)
                    .header("OpenStack-API-Version", MICROVERSION).timeout(Duration.ofSeconds(60));
        }

        HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
            return client.send(request(pathAndQuery).GET().build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String pathAndQuery, JsonNode body) throws IOException, InterruptedException {
            return client.send(request(pathAndQuery).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> delete(String pathAndQuery) throws IOException, InterruptedException {
            return client.send(request(pathAndQuery).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        }

        /** The server, or null when it is gone (404). */
        JsonNode server(String id) throws IOException, InterruptedException {
            HttpResponse<String> r = get("/v2.1/servers/" + id);
            if (r.statusCode() == 404) {
                return null;
            }
            Nova.expect(r, 200, "show server " + id);
            return JSON.readTree(r.body()).path("server");
        }

        /** Every server of the project (detail pages of 1000). */
        List<JsonNode> servers() throws IOException, InterruptedException {
            List<JsonNode> all = new ArrayList<>();
            String marker = null;
            do {
                HttpResponse<String> r = get("/v2.1/servers/detail?limit=1000" + (marker == null ? "" : "&marker=" + Nova.enc(marker)));
                Nova.expect(r, 200, "list servers");
                JsonNode page = JSON.readTree(r.body()).path("servers");
                page.forEach(all::add);
                marker = page.size() == 1000 ? page.get(999).path("id").asText() : null;
            } while (marker != null);
            return all;
        }

        /** Deletes these servers (204, or 404 when already gone) at this concurrency, progress on stderr. */
        Batch deleteAll(List<String> ids, int concurrency, long serverPid, int progressEvery) throws InterruptedException {
            return Batch.run("container", "deleted", ids.size(), concurrency, serverPid, i -> {
                HttpResponse<String> r = delete("/v2.1/servers/" + ids.get(i));
                if (r.statusCode() != 404) {
                    Nova.expect(r, 204, "delete server");
                }
            }, progressEvery, 0);
        }

        /** Waits until none of these servers is listed any more; returns the seconds waited, or throws after the timeout. */
        double awaitGone(Set<String> ids, Duration timeout) throws IOException, InterruptedException {
            long start = System.nanoTime();
            long lastLog = start;
            while (true) {
                Set<String> left = new HashSet<>();
                for (JsonNode s : servers()) {
                    if (ids.contains(s.path("id").asText())) {
                        left.add(s.path("id").asText());
                    }
                }
                if (left.isEmpty()) {
                    return (System.nanoTime() - start) / 1e9;
                }
                if (System.nanoTime() - start > timeout.toNanos()) {
                    throw new IOException(left.size() + " deleted servers still listed after " + timeout.toSeconds() + " s, e.g. "
                            + left.iterator().next());
                }
                if (System.nanoTime() - lastLog > 5_000_000_000L) {
                    Fmt.log("%d servers still being deleted", left.size());
                    lastLog = System.nanoTime();
                }
                Thread.sleep(200);
            }
        }
    }

    /** One timed boot: the client's send instant, the 202, launched_at, and when the console showed the boot line. */
    record Boot(String id, Instant sent, Instant answered, Instant launched, Instant console) {}

    @Command(name = "run", description = "Boot servers one at a time (latency), then many at once (density), and delete them.")
    static final class Run implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Option(names = "--image-url", required = true, description = "Image base URL; must be on 127.0.0.1.")
        String imageUrl;

        @Option(names = "--compute-url", required = true, description = "Compute base URL; must be on 127.0.0.1.")
        String computeUrl;

        @Option(names = "--data-dir", required = true, description = "The server's data directory (its containers' bundles are under it).")
        Path dataDir;

        @Option(names = "--servers", defaultValue = "20", description = "Servers booted and timed in the latency phase (default ${DEFAULT-VALUE}).")
        int servers;

        @Option(names = "--concurrency", defaultValue = "1", description = "Servers booting at once in the latency phase (default ${DEFAULT-VALUE}).")
        int concurrency;

        @Option(names = "--warmup", defaultValue = "3", description = "Untimed boots and deletes first (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--flavor", defaultValue = DENSITY_FLAVOR,
                description = "Flavor (name) of the latency phase, e.g. m1.tiny or bench.64 (default ${DEFAULT-VALUE}).")
        String flavor;

        @Option(names = "--poll-ms", defaultValue = "5", description = "Pause between console polls (default ${DEFAULT-VALUE}).")
        int pollMs;

        @Option(names = "--cgroup-parent", defaultValue = "nubes",
                description = "The server's compute.container_cgroup_parent (default ${DEFAULT-VALUE}).")
        String cgroupParent;

        @Option(names = "--network-url", description = "Networking base URL (127.0.0.1); without it no pingable phase.")
        String networkUrl;

        @Option(names = "--network", defaultValue = "private",
                description = "Network (name) of the pingable phase (default ${DEFAULT-VALUE}).")
        String network;

        @Option(names = "--ping-servers", defaultValue = "20",
                description = "Servers booted on the network and pinged, one at a time; 0: no pingable phase (default ${DEFAULT-VALUE}).")
        int pingServers;

        @Option(names = "--density-servers", defaultValue = "300",
                description = "64 MiB servers booted and kept running at once; 0: no density phase (default ${DEFAULT-VALUE}).")
        int densityServers;

        @Option(names = "--density-concurrency", defaultValue = "8",
                description = "Servers booting (and deleted) at once in the density phase (default ${DEFAULT-VALUE}).")
        int densityConcurrency;

        @Option(names = "--boot-timeout", defaultValue = "120", description = "Longest wait for one server to boot, in seconds (default ${DEFAULT-VALUE}).")
        int bootTimeout;

        @Option(names = "--quiet-below", defaultValue = "0.25",
                description = "Before the timed boots, wait until other processes use fewer cores than this (default ${DEFAULT-VALUE}).")
        double quietBelow;

        @Option(names = "--quiet-wait", defaultValue = "30", description = "Longest such wait, in seconds; 0: none (default ${DEFAULT-VALUE}).")
        int quietWait;

        @Option(names = "--settings", defaultValue = "",
                description = "What the script set on the server, for the report (free text).")
        String settings;

        private Cloud cloud;
        private final Map<String, String> facts = new TreeMap<>();
        /** Servers created and not yet confirmed deleted: what a failed run must delete. */
        private final Set<String> live = ConcurrentHashMap.newKeySet();
        private Report report;

        @Override
        public Integer call() throws Exception {
            if (servers < 1 || concurrency < 1 || densityConcurrency < 1 || warmup < 0 || densityServers < 0 || pollMs < 0) {
                throw new IllegalArgumentException("--servers, --concurrency and --density-concurrency must be at least 1");
            }
            dataDir = dataDir.toAbsolutePath().normalize();
            report = new Report(server.results);
            cloud = new Cloud(server.identityUrl, imageUrl, computeUrl, server.clouds);
            try {
                measure();
            } finally {
                if (!live.isEmpty()) {
                    Fmt.log("deleting the %d servers this run left, through the API", live.size());
                    List<String> ids = List.copyOf(live);
                    Batch b = cloud.deleteAll(ids, densityConcurrency, server.serverPid, 25);
                    try {
                        cloud.awaitGone(Set.copyOf(ids), Duration.ofSeconds(300));
                        Fmt.log("deleted them (%d delete errors%s)", b.errors(), b.firstErrorSuffix());
                    } catch (IOException e) {
                        Fmt.log("after the failure: %s", e.getMessage());
                    }
                }
            }
            return 0;
        }

        private void measure() throws Exception {
            String imageId = starterImage();
            String densityFlavorId = densityFlavor();
            String flavorId = flavor.equals(DENSITY_FLAVOR) ? densityFlavorId : flavorId(flavor);
            Fmt.log("image %s %s, flavor %s (%s) for the latency phase, %s (%s) for density", IMAGE, imageId, flavor, flavorId,
                    DENSITY_FLAVOR, densityFlavorId);
            if (!settings.isBlank()) {
                facts.put("0 settings", "server: " + settings);
            }

            // --- warm-up: the image is unpacked at the first boot, and the JIT compiles the paths -----
            if (warmup > 0) {
                List<Double> warmMs = new ArrayList<>();
                for (int i = 0; i < warmup; i++) {
                    Boot b = bootToConsole("bench-warmup-" + i, flavorId);
                    warmMs.add(Duration.between(b.sent(), b.console()).toNanos() / 1e6);
                    deleteAndWait(List.of(b.id()));
                }
                facts.put("1 warm-up", String.format(Locale.ROOT,
                        "warm-up: %d servers booted to their console line and deleted one by one, untimed, before the timed boots"
                                + " (the first also unpacks the image): create -> console line %s ms",
                        warmup, String.join(", ", warmMs.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList())));
                Fmt.log("warm-up: %d servers booted and deleted", warmup);
            }

            // --- latency: create -> ACTIVE and -> first console line ------------------------------------
            if (quietWait > 0) {
                double other = Proc.awaitQuiet(server.serverPid, quietBelow, Duration.ofSeconds(quietWait));
                facts.put("1z quiet", String.format(Locale.ROOT, "before the timed boots other processes used %.2f cores%s", other,
                        other < quietBelow ? "" : " (still above " + quietBelow + " after waiting " + quietWait + " s: the machine is busy)"));
            }
            Boot[] boots = new Boot[servers];
            Latencies poll = new Latencies();
            Batch latency = Batch.run("container", "booted", servers, concurrency, server.serverPid, i -> {
                boots[i] = bootToConsole("bench-" + i, flavorId, poll);
            }, 5, 0);
            Latencies active = new Latencies();
            Latencies console = new Latencies();
            Latencies answer = new Latencies();
            List<String> ids = new ArrayList<>();
            for (Boot b : boots) {
                if (b == null) {
                    continue;
                }
                ids.add(b.id());
                active.record(Duration.between(b.sent(), b.launched()).toNanos());
                console.record(Duration.between(b.sent(), b.console()).toNanos());
                answer.record(Duration.between(b.sent(), b.answered()).toNanos());
            }
            report.row(timedRow("create -> ACTIVE (launched_at - send), concurrency " + concurrency, active, latency));
            report.row(timedRow("create -> first console line (answer - send)", console, latency));
            Fmt.log("latency: create -> ACTIVE p50 %.1f ms, p99 %.1f ms; -> console line p50 %.1f ms, p99 %.1f ms; %d errors%s",
                    active.percentileMillis(50), active.percentileMillis(99), console.percentileMillis(50),
                    console.percentileMillis(99), latency.errors(), latency.firstErrorSuffix());
            facts.put("2 latency", String.format(Locale.ROOT,
                    "latency: %d servers (%s, %s, networks none, microversion 2.53), %d at a time; the 202 answer took p50 %.1f ms;"
                            + " console polled (os-getConsoleOutput, length 5; 409 while BUILD) with %d ms pauses, one poll took p50 %.1f ms,"
                            + " p99 %.1f ms, so the console figure is late by up to about %.0f ms",
                    servers, IMAGE, flavor, concurrency, answer.percentileMillis(50), pollMs, poll.percentileMillis(50),
                    poll.percentileMillis(99), pollMs + poll.percentileMillis(50)));
            if (latency.firstError() != null) {
                facts.put("2 latency errors", "latency: " + latency.errors() + " boots failed; first: " + latency.firstError());
            }
            double deleteSeconds = deleteAndWait(ids);
            Fmt.log("deleted the %d servers (%.1f s until none was listed)", ids.size(), deleteSeconds);

            // --- pingable: create -> the server answers ping on its network -------------------------------
            if (networkUrl != null && pingServers > 0) {
                pingable(flavorId);
            }

            // --- density: how many 64 MiB servers run at once ----------------------------------------------
            double activeP50 = active.percentileMillis(50);
            int running = -1;
            if (densityServers > 0) {
                running = density(imageId, densityFlavorId);
            }

            facts.values().forEach(report::line);
            report.line(String.format(Locale.ROOT, "target: create -> ACTIVE p50 < %.0f ms (servers one at a time): %.1f ms: %s%s",
                    ACTIVE_P50_TARGET_MS, activeP50, activeP50 < ACTIVE_P50_TARGET_MS ? "met" : "NOT met",
                    concurrency == 1 ? "" : " (the target is for one at a time; this run had concurrency " + concurrency + ")"));
            if (densityServers > 0) {
                long totalMib = meminfoKb("MemTotal") / 1024;
                report.line(String.format(Locale.ROOT,
                        "target: at least %d servers of %d MiB running at once on one 24 GiB host: %d running on this %d MiB host: %s%s",
                        DENSITY_TARGET, DENSITY_FLAVOR_MB, running, totalMib, running >= DENSITY_TARGET ? "met" : "NOT met",
                        densityServers >= DENSITY_TARGET ? "" : " (only " + densityServers + " were booted)"));
            }
        }

        private int density(String imageId, String flavorId) throws Exception {
            long availableBefore = meminfoKb("MemAvailable");
            long usedBefore = usedKb();
            long totalKb = meminfoKb("MemTotal");
            long rssBefore = server.serverPid > 0 ? Proc.statusKb(server.serverPid, "VmRSS") : -1;
            String[] ids = new String[densityServers];
            Instant[] sent = new Instant[densityServers];
            Instant[] launched = new Instant[densityServers];
            Fmt.log("density: booting %d servers of %d MiB, %d at a time", densityServers, DENSITY_FLAVOR_MB, densityConcurrency);
            Batch boot = Batch.run("container", "density booted", densityServers, densityConcurrency, server.serverPid, i -> {
                HttpResponse<String> r;
                sent[i] = Instant.now();
                r = cloud.post("/v2.1/servers", createBody("bench-density-" + i, imageId, flavorId));
                Nova.expect(r, 202, "create server");
                ids[i] = JSON.readTree(r.body()).path("server").path("id").asText();
                live.add(ids[i]);
                launched[i] = awaitActive(ids[i], 50);
            }, 25, 0);
            Latencies active = new Latencies();
            Instant first = null;
            Instant last = null;
            for (int i = 0; i < densityServers; i++) {
                if (launched[i] != null) {
                    active.record(Duration.between(sent[i], launched[i]).toNanos());
                    first = first == null || sent[i].isBefore(first) ? sent[i] : first;
                    last = last == null || launched[i].isAfter(last) ? launched[i] : last;
                }
            }
            double span = first == null ? Double.NaN : Duration.between(first, last).toNanos() / 1e9;
            report.row(List.of("density: create -> ACTIVE, " + DENSITY_FLAVOR_MB + " MiB, concurrency " + densityConcurrency,
                    Long.toString(active.count() + boot.errors()), Long.toString(boot.errors()), Fmt.num("%.1f", active.count() / span),
                    Fmt.ms(active.percentileMillis(50)), Fmt.ms(active.percentileMillis(90)), Fmt.ms(active.percentileMillis(99)),
                    Fmt.ms(active.maxMillis()), Fmt.num("%.2f", boot.cpu().serverCores()), Fmt.num("%.2f", boot.cpu().clientCores()),
                    Fmt.num("%.2f", boot.cpu().otherCores())));
            Fmt.log("density: %d ACTIVE in %.1f s (%.1f/s), %d failed%s", active.count(), span, active.count() / span, boot.errors(),
                    boot.firstErrorSuffix());

            Thread.sleep(3000); // let the guests' init settle before memory is read
            Set<String> mine = new HashSet<>();
            for (String id : ids) {
                if (id != null) {
                    mine.add(id);
                }
            }
            List<String[]> containers = crunList();
            int crunRunning = 0;
            int crunOther = 0;
            for (String[] c : containers) {
                if (mine.contains(c[0].substring("nubes-".length()))) {
                    if ("running".equals(c[2])) {
                        crunRunning++;
                    } else {
                        crunOther++;
                    }
                }
            }
            int apiActive = 0;
            Map<String, Integer> apiStatus = new TreeMap<>();
            for (JsonNode s : cloud.servers()) {
                if (mine.contains(s.path("id").asText())) {
                    apiStatus.merge(s.path("status").asText(), 1, Integer::sum);
                    if ("ACTIVE".equals(s.path("status").asText())) {
                        apiActive++;
                    }
                }
            }
            long availableAfter = meminfoKb("MemAvailable");
            long usedAfter = usedKb();
            long rssAfter = server.serverPid > 0 ? Proc.statusKb(server.serverPid, "VmRSS") : -1;
            Latencies cgroupUsage = new Latencies();
            long cgroupSum = 0;
            long cgroupRss = 0;
            int cgroups = 0;
            for (String id : mine) {
                Path dir = Path.of("/sys/fs/cgroup/memory", cgroupParent, "nubes-" + id);
                try {
                    long usage = Long.parseLong(Files.readString(dir.resolve("memory.usage_in_bytes")).trim());
                    cgroupUsage.record(usage); // bytes in a histogram of "nanoseconds": percentileMillis(p) * 1e6 is bytes
                    cgroupSum += usage;
                    for (String line : Files.readAllLines(dir.resolve("memory.stat"))) {
                        if (line.startsWith("total_rss ")) {
                            cgroupRss += Long.parseLong(line.substring(10).trim());
                        }
                    }
                    cgroups++;
                } catch (IOException | RuntimeException e) {
                    // no cgroup v1 memory hierarchy, or the server is not running
                }
            }
            int running = crunRunning;
            report.row(List.of("running at once (crun list: nubes-*, running)", Integer.toString(running),
                    Integer.toString(densityServers - running), "-", "-", "-", "-", "-", "-", "-", "-"));
            double usedMib = (availableBefore - availableAfter) / 1024.0;
            double usedFreeMib = (usedAfter - usedBefore) / 1024.0;
            double perServer = Math.max(usedMib, usedFreeMib) / Math.max(1, running);
            facts.put("3 density", String.format(Locale.ROOT,
                    "density: %d servers of %d MiB (1 vCPU, 1 GB disk) booted %d at a time, %d failed%s; then %d running and %d in"
                            + " another state by crun list, API status %s; first send to last launched_at %.1f s",
                    densityServers, DENSITY_FLAVOR_MB, densityConcurrency, boot.errors(),
                    boot.firstError() == null ? "" : " (first fault: " + boot.firstError() + ")", crunRunning, crunOther, apiStatus,
                    span));
            facts.put("4 memory", String.format(Locale.ROOT,
                    "memory (host MemTotal %.0f MiB), before the density phase -> with the %d servers running: MemAvailable %.0f -> %.0f MiB"
                            + " (%+.0f MiB taken, %+.2f MiB per running server); used as free counts it (total - free - buffers - cache -"
                            + " reclaimable slab) %.0f -> %.0f MiB (%+.0f MiB, %+.2f MiB per running server); both include the guests,"
                            + " what the kernel keeps per container (mounts, cgroups, namespaces) and the server's growth: its RSS %.0f -> %.0f MiB",
                    totalKb / 1024.0, running, availableBefore / 1024.0, availableAfter / 1024.0, usedMib,
                    running > 0 ? usedMib / running : Double.NaN, usedBefore / 1024.0, usedAfter / 1024.0, usedFreeMib,
                    running > 0 ? usedFreeMib / running : Double.NaN, rssBefore / 1024.0, rssAfter / 1024.0));
            if (cgroups > 0) {
                facts.put("4 memory cgroups", String.format(Locale.ROOT,
                        "memory charged to the %d servers' cgroups (memory.usage_in_bytes, page cache included): %.1f MiB in all,"
                                + " %.2f MiB per server (p50 %.2f, max %.2f); their RSS (memory.stat total_rss) %.1f MiB in all;"
                                + " %s",
                        cgroups, cgroupSum / 1048576.0, cgroupSum / 1048576.0 / cgroups, cgroupUsage.percentileMillis(50) * 1e6 / 1048576.0,
                        cgroupUsage.maxMillis() * 1e6 / 1048576.0, cgroupRss / 1048576.0,
                        perServer > 0 ? String.format(Locale.ROOT,
                                "at %.2f MiB per server (the larger host figure) the memory available before (%.0f MiB) would hold about %d servers"
                                        + " by memory alone (other limits come first)",
                                perServer, availableBefore / 1024.0, (long) (availableBefore / 1024.0 / perServer))
                                : "the host figures moved less than the rest of the machine did (too few servers to measure their cost)"));
            }

            // --- delete them all -----------------------------------------------------------------------
            List<String> all = List.copyOf(mine);
            Fmt.log("density: deleting %d servers, %d at a time", all.size(), densityConcurrency);
            Batch delete = cloud.deleteAll(all, densityConcurrency, server.serverPid, 25);
            double gone = cloud.awaitGone(mine, Duration.ofSeconds(Math.max(300, all.size())));
            live.removeAll(mine);
            Fmt.log("density: deleted %d servers (%.0f requests/s), none listed %.1f s after the last DELETE answered",
                    all.size(), delete.perSecond(), gone);
            long leftContainers = crunList().stream().filter(c -> mine.contains(c[0].substring("nubes-".length()))).count();
            long leftMounts = overlaysUnderDataDir();
            facts.put("5 delete", String.format(Locale.ROOT,
                    "delete: %d servers, %d at a time: %.0f DELETE/s (p50 %.1f ms), %d errors%s; none listed %.1f s after the last"
                            + " DELETE answered; left behind: %d containers (crun list), %d overlay mounts under the data dir",
                    all.size(), densityConcurrency, delete.perSecond(), delete.latencies().percentileMillis(50), delete.errors(),
                    delete.firstErrorSuffix(), gone, leftContainers, leftMounts));
            return running;
        }

        /**
         * Create -> pingable: servers one at a time on a network, each pinged (once it is ACTIVE, so
         * that no failed address resolution delays the first answer) from a namespace of the bench
         * plugged into the same network through a port of its own (in the default security group,
         * as the servers are), as a server's would be.
         */
        private void pingable(String flavorId) throws Exception {
            String networkId = networkIdByName(network);
            Path observer = dataDir.resolve("bench-observer.netns");
            Files.deleteIfExists(observer);
            Files.createFile(observer);
            Proc.run("unshare", "--net=" + observer, "true");
            String portId = null;
            try {
                ObjectNode port = JSON.createObjectNode();
                // In the project's default group, whose members the servers (in it too) let in.
                port.putObject("port").put("network_id", networkId).put("name", "bench-observer").put("binding:host_id", "bench");
                ((ObjectNode) port.path("port")).putObject("binding:profile").put("nubes_netns", observer.toString())
                        .put("nubes_device", "eth0");
                HttpResponse<String> made = cloud.client.send(networkRequest("/v2.0/ports").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(port.toString())).build(), HttpResponse.BodyHandlers.ofString());
                Nova.expect(made, 201, "create the observer's port");
                portId = JSON.readTree(made.body()).path("port").path("id").asText();

                Latencies active = new Latencies();
                Latencies pinged = new Latencies();
                List<String> ids = new ArrayList<>();
                Batch batch = Batch.run("container", "pinged", pingServers, 1, server.serverPid, i -> {
                    ObjectNode body = (ObjectNode) createBody("bench-ping-" + i, imageIdCache, flavorId);
                    ((ObjectNode) body.path("server")).putArray("networks").addObject().put("uuid", networkId);
                    Instant sent = Instant.now();
                    HttpResponse<String> r = cloud.post("/v2.1/servers", body);
                    Nova.expect(r, 202, "create server");
                    String id = JSON.readTree(r.body()).path("server").path("id").asText();
                    live.add(id);
                    synchronized (ids) {
                        ids.add(id);
                    }
                    Instant launched = awaitActive(id, 2);
                    String address = cloud.server(id).path("addresses").path(network).path(0).path("addr").asText();
                    long deadline = System.nanoTime() + Duration.ofSeconds(bootTimeout).toNanos();
                    while (!ping(observer, address)) {
                        if (System.nanoTime() - deadline > 0) {
                            throw new IOException("server " + id + " (" + address + ") did not answer ping in " + bootTimeout + " s");
                        }
                    }
                    Instant answered = Instant.now();
                    active.record(Duration.between(sent, launched).toNanos());
                    pinged.record(Duration.between(sent, answered).toNanos());
                }, 5, 0);
                report.row(timedRow("on network " + network + ": create -> ACTIVE (launched_at - send)", active, batch));
                report.row(timedRow("on network " + network + ": create -> answers ping from the network", pinged, batch));
                Fmt.log("pingable: create -> ping answered p50 %.1f ms, p99 %.1f ms; %d errors%s", pinged.percentileMillis(50),
                        pinged.percentileMillis(99), batch.errors(), batch.firstErrorSuffix());
                facts.put("2p pingable", String.format(Locale.ROOT, "pingable: %d servers one at a time on network %s, each "
                        + "pinged (ping -c 1 -W 1, again until it answers) once ACTIVE from a namespace plugged into the network"
                        + " through a port of its own", pingServers, network));
                facts.put("9p target", String.format(Locale.ROOT, "target: create -> pingable p50 < %.0f ms: %.1f ms: %s",
                        PINGABLE_P50_TARGET_MS, pinged.percentileMillis(50),
                        pinged.percentileMillis(50) < PINGABLE_P50_TARGET_MS ? "met" : "NOT met"));
                deleteAndWait(ids);
            } finally {
                if (portId != null) {
                    cloud.client.send(networkRequest("/v2.0/ports/" + portId).DELETE().build(), HttpResponse.BodyHandlers.discarding());
                }
                Proc.run("umount", observer.toString());
                Files.deleteIfExists(observer);
            }
        }

        private HttpRequest.Builder networkRequest(String path) {
            return HttpRequest.newBuilder(URI.create(Nova.local(networkUrl) + path)).header("X-Auth-Token", cloud.token)
                    .timeout(Duration.ofSeconds(30));
        }

        private String networkIdByName(String name) throws Exception {
            HttpResponse<String> r = cloud.client.send(networkRequest("/v2.0/networks?name=" + Nova.enc(name)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Nova.expect(r, 200, "list networks");
            JsonNode found = JSON.readTree(r.body()).path("networks");
            if (found.isEmpty()) {
                throw new IOException("no network named " + name);
            }
            return found.get(0).path("id").asText();
        }

        /** One ping from the namespace; true when it was answered within a second. */
        private static boolean ping(Path netns, String address) throws IOException, InterruptedException {
            Process ping = new ProcessBuilder("nsenter", "--net=" + netns, "ping", "-c", "1", "-W", "1", address)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return ping.waitFor() == 0;
        }

        private List<String> timedRow(String name, Latencies l, Batch batch) {
            return List.of(name, Long.toString(l.count() + batch.errors()), Long.toString(batch.errors()), "-",
                    Fmt.ms(l.percentileMillis(50)), Fmt.ms(l.percentileMillis(90)), Fmt.ms(l.percentileMillis(99)), Fmt.ms(l.maxMillis()),
                    Fmt.num("%.2f", batch.cpu().serverCores()), Fmt.num("%.2f", batch.cpu().clientCores()),
                    Fmt.num("%.2f", batch.cpu().otherCores()));
        }

        private Boot bootToConsole(String name, String flavorId) throws Exception {
            return bootToConsole(name, flavorId, new Latencies());
        }

        /**
         * Creates a server and polls its console every pollMs until it shows the boot line (409 while it
         * is in BUILD; its status is checked every 100 ms then, to notice ERROR); launched_at comes after.
         */
        private Boot bootToConsole(String name, String flavorId, Latencies poll) throws Exception {
            JsonNode body = createBody(name, imageIdCache, flavorId);
            Instant sent = Instant.now();
            HttpResponse<String> r = cloud.post("/v2.1/servers", body);
            Instant answered = Instant.now();
            Nova.expect(r, 202, "create server");
            String id = JSON.readTree(r.body()).path("server").path("id").asText();
            live.add(id);
            JsonNode consoleBody = JSON.createObjectNode().set("os-getConsoleOutput", JSON.createObjectNode().put("length", 5));
            long deadline = System.nanoTime() + Duration.ofSeconds(bootTimeout).toNanos();
            long lastStatus = System.nanoTime();
            Instant console = null;
            while (console == null) {
                long t = System.nanoTime();
                HttpResponse<String> c = cloud.post("/v2.1/servers/" + id + "/action", consoleBody);
                Instant now = Instant.now();
                poll.record(System.nanoTime() - t);
                if (c.statusCode() == 200 && JSON.readTree(c.body()).path("output").asText().contains(BOOT_LINE)) {
                    console = now;
                    break;
                }
                if (c.statusCode() != 200 && c.statusCode() != 409) {
                    Nova.expect(c, 200, "console output");
                }
                if (System.nanoTime() - lastStatus > 100_000_000L) {
                    failIfError(cloud.server(id), id);
                    lastStatus = System.nanoTime();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("server " + id + " showed no \"" + BOOT_LINE + "\" on its console within " + bootTimeout
                            + " s; status " + cloud.server(id).path("status").asText() + ", console: "
                            + (c.statusCode() == 200 ? JSON.readTree(c.body()).path("output").asText() : c.statusCode()));
                }
                if (pollMs > 0) {
                    Thread.sleep(pollMs);
                }
            }
            Instant launched = awaitActive(id, 5);
            return new Boot(id, sent, answered, launched, console);
        }

        /** Polls the server every pauseMs until it is ACTIVE with launched_at (returned), or throws on ERROR or the timeout. */
        private Instant awaitActive(String id, int pauseMs) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(bootTimeout).toNanos();
            while (true) {
                JsonNode s = cloud.server(id);
                failIfError(s, id);
                Instant launched = Nova.launchedAt(s.path("OS-SRV-USG:launched_at").asText(null));
                if ("ACTIVE".equals(s.path("status").asText()) && launched != null) {
                    return launched;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("server " + id + " not ACTIVE within " + bootTimeout + " s: status " + s.path("status").asText());
                }
                Thread.sleep(pauseMs);
            }
        }

        private static void failIfError(JsonNode s, String id) throws IOException {
            if (s == null) {
                throw new IOException("server " + id + " is gone");
            }
            if ("ERROR".equals(s.path("status").asText())) {
                throw new IOException("server " + id + " is in ERROR: " + s.path("fault").path("message").asText("(no fault)"));
            }
        }

        /** Deletes these servers (the run's concurrency) and waits until none is listed; returns the seconds waited. */
        private double deleteAndWait(List<String> ids) throws Exception {
            Batch b = cloud.deleteAll(ids, Math.max(concurrency, 1), server.serverPid, 0);
            if (b.firstError() != null) {
                throw new IOException("delete failed: " + b.firstError());
            }
            double seconds = cloud.awaitGone(Set.copyOf(ids), Duration.ofSeconds(Math.max(120, bootTimeout)));
            ids.forEach(live::remove);
            return seconds;
        }

        private String imageIdCache;

        /** The public starter image the server registered at its first start, active. */
        private String starterImage() throws Exception {
            HttpRequest get = HttpRequest.newBuilder(URI.create(cloud.image + "/v2/images?name=" + IMAGE)).header("X-Auth-Token", cloud.token)
                    .timeout(Duration.ofSeconds(30)).GET().build();
            HttpResponse<String> r = cloud.client.send(get, HttpResponse.BodyHandlers.ofString());
            Nova.expect(r, 200, "list images");
            for (JsonNode image : JSON.readTree(r.body()).path("images")) {
                if ("active".equals(image.path("status").asText())) {
                    imageIdCache = image.path("id").asText();
                    return imageIdCache;
                }
            }
            throw new IOException("no active image \"" + IMAGE + "\" (the starter image the server registers at its first start): "
                    + r.body());
        }

        /** Creates the 64 MiB flavor (or finds it) and returns its id. */
        private String densityFlavor() throws Exception {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("flavor").put("name", DENSITY_FLAVOR).put("ram", DENSITY_FLAVOR_MB).put("vcpus", 1).put("disk", 1);
            HttpResponse<String> r = cloud.post("/v2.1/flavors", body);
            if (r.statusCode() == 409) {
                return flavorId(DENSITY_FLAVOR);
            }
            Nova.expect(r, 200, "create flavor " + DENSITY_FLAVOR);
            return JSON.readTree(r.body()).path("flavor").path("id").asText();
        }

        private String flavorId(String name) throws Exception {
            HttpResponse<String> r = cloud.get("/v2.1/flavors?is_public=None");
            Nova.expect(r, 200, "list flavors");
            for (JsonNode f : JSON.readTree(r.body()).path("flavors")) {
                if (name.equals(f.path("name").asText()) || name.equals(f.path("id").asText())) {
                    return f.path("id").asText();
                }
            }
            throw new IOException("no flavor " + name + ": " + r.body());
        }

        private JsonNode createBody(String name, String imageId, String flavorId) {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("server").put("name", name).put("imageRef", imageId).put("flavorRef", flavorId).put("networks", "none");
            return body;
        }

        /** Overlay mounts (/proc/mounts) whose mount point is under the data dir. */
        private long overlaysUnderDataDir() throws IOException {
            String prefix = dataDir + "/";
            return Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
                    .filter(f -> f.length > 2 && "overlay".equals(f[2]) && f[1].startsWith(prefix)).count();
        }

        /** crun list rows (name, pid, status, bundle) of containers named nubes-* whose bundle is under the data dir. */
        private List<String[]> crunList() throws IOException, InterruptedException {
            Process p = new ProcessBuilder("crun", "list").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("crun list failed: " + out);
            }
            String prefix = dataDir + "/";
            List<String[]> rows = new ArrayList<>();
            for (String line : out.lines().skip(1).toList()) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].startsWith("nubes-") && f[3].startsWith(prefix)) {
                    rows.add(new String[] {f[0], f[1], f[2], f[3]});
                }
            }
            return rows;
        }
    }

    @Command(name = "cleanup", description = "Deletes every server of the admin project through the API and waits until they are gone.")
    static final class Cleanup implements Callable<Integer> {
        @Option(names = "--identity-url", required = true, description = "Identity base URL; must be on 127.0.0.1.")
        String identityUrl;

        @Option(names = "--compute-url", required = true, description = "Compute base URL; must be on 127.0.0.1.")
        String computeUrl;

        @Option(names = "--clouds", required = true, description = "clouds.yaml with the admin password.")
        Path clouds;

        @Option(names = "--timeout", defaultValue = "300", description = "Longest wait, in seconds (default ${DEFAULT-VALUE}).")
        int timeout;

        @Override
        public Integer call() throws Exception {
            Cloud cloud = new Cloud(identityUrl, null, computeUrl, clouds);
            List<String> ids = cloud.servers().stream().map(s -> s.path("id").asText()).toList();
            if (ids.isEmpty()) {
                Fmt.log("cleanup: no server left");
                return 0;
            }
            Fmt.log("cleanup: deleting %d servers through the API", ids.size());
            Batch b = cloud.deleteAll(ids, 8, 0, 25);
            double seconds = cloud.awaitGone(Set.copyOf(ids), Duration.ofSeconds(timeout));
            Fmt.log("cleanup: %d servers deleted in %.1f s after the DELETEs (%d errors%s)", ids.size(), seconds, b.errors(),
                    b.firstErrorSuffix());
            return 0;
        }
    }

    @Command(name = "report", description = "Prints the results gathered so far as one table.")
    static final class Print implements Callable<Integer> {
        @Option(names = "--results", required = true, description = "File the results were appended to.")
        Path results;

        @Override
        public Integer call() {
            System.out.print(new Report(results).render(ComputeBench.HEADERS));
            return 0;
        }
    }

    /** Used memory as free(1) counts it: MemTotal - MemFree - Buffers - Cached - SReclaimable, in kB. */
    static long usedKb() {
        return meminfoKb("MemTotal") - meminfoKb("MemFree") - meminfoKb("Buffers") - meminfoKb("Cached") - meminfoKb("SReclaimable");
    }

    static long meminfoKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ContainerBench()).execute(args));
    }
}
