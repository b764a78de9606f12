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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The compute (Nova v2.1) benchmark on the fake driver: boots servers concurrently across many
 * simulated hosts (API create rate and create-to-ACTIVE time), lists a project of many servers,
 * and deletes the booted ones. bench/compute starts the server and calls {@code run}, then
 * {@code report}.
 */
@Command(name = "compute-bench", mixinStandardHelpOptions = true,
        description = "Benchmarks server boot, listing and delete of the Nubes compute API on the fake driver.",
        subcommands = {ComputeBench.Run.class, ComputeBench.Print.class})
public final class ComputeBench {
    static final List<String> HEADERS = List.of("measurement", "count", "errors", "per second", "p50 ms", "p90 ms",
            "p99 ms", "max ms", "server CPU", "client CPU", "other CPU");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MICROVERSION = "compute 2.53";
    /** The targets of the issue. */
    private static final double ACTIVE_P50_TARGET_MS = 100;
    private static final double LIST_TARGET_MS = 200;

    @Command(name = "run", description = "Boot, list and delete servers through the API.")
    static final class Run implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Option(names = "--image-url", required = true, description = "Image base URL; must be on 127.0.0.1.")
        String imageUrl;

        @Option(names = "--compute-url", required = true, description = "Compute base URL; must be on 127.0.0.1.")
        String computeUrl;

        @Option(names = "--hosts", defaultValue = "100", description = "Simulated hosts the server runs (for the table; default ${DEFAULT-VALUE}).")
        int hosts;

        @Option(names = "--servers", defaultValue = "500", description = "Servers booted and timed (default ${DEFAULT-VALUE}).")
        int servers;

        @Option(names = "--warmup", defaultValue = "500",
                description = "Servers booted and deleted untimed first, so the timed run meets a warmed-up JVM (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--concurrency", defaultValue = "16", description = "Concurrent create and delete requests (default ${DEFAULT-VALUE}).")
        int concurrency;

        @Option(names = "--list-servers", defaultValue = "10000",
                description = "Servers in the project when listing is timed; 0: no listing (default ${DEFAULT-VALUE}).")
        int listServers;

        @Option(names = "--list-runs", defaultValue = "30", description = "Timed listings of each kind (default ${DEFAULT-VALUE}).")
        int listRuns;

        @Option(names = "--list-warmups", defaultValue = "3", description = "Untimed listings before those (default ${DEFAULT-VALUE}).")
        int listWarmups;

        @Option(names = "--delete-rate", defaultValue = "true", negatable = true, fallbackValue = "true",
                description = "Time the delete of the booted servers (default ${DEFAULT-VALUE}).")
        boolean deleteRate;

        @Option(names = "--active-timeout", defaultValue = "120",
                description = "Seconds to wait for the booted servers to leave BUILD (default ${DEFAULT-VALUE}).")
        int activeTimeout;

        private HttpClient client;
        private URI compute;
        private String token;
        private Report report;
        private final Map<String, String> facts = new TreeMap<>();

        @Override
        public Integer call() throws Exception {
            if (servers < 1 || concurrency < 1 || listRuns < 1) {
                throw new IllegalArgumentException("--servers, --concurrency and --list-runs must be at least 1");
            }
            URI identity = local(server.identityUrl);
            URI image = local(imageUrl);
            compute = local(computeUrl);
            report = new Report(server.results);
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            token = token(identity, IdentityBench.Credentials.read(server.clouds));
            String imageId = uploadImage(image);
            log("image %s is active", imageId);

            // --- warm-up: the same work untimed, so the JIT has compiled the paths the timed run takes ---
            if (warmup > 0) {
                String[] warm = new String[warmup];
                Batch boot = batch("warm-up create", warmup, i -> {
                    HttpResponse<String> r = client.send(createRequest("warmup-" + i, imageId), HttpResponse.BodyHandlers.ofString());
                    expect(r, 202, "create server");
                    warm[i] = JSON.readTree(r.body()).path("server").path("id").asText();
                }, 0, 0);
                awaitNoBuild(Duration.ofSeconds(activeTimeout));
                Batch removal = batch("warm-up delete", warmup, i -> {
                    HttpRequest del = HttpRequest.newBuilder(URI.create(compute + "/v2.1/servers/" + warm[i]))
                            .header("X-Auth-Token", token).header("OpenStack-API-Version", MICROVERSION)
                            .timeout(Duration.ofSeconds(60)).DELETE().build();
                    expect(client.send(del, HttpResponse.BodyHandlers.ofString()), 204, "delete server");
                }, 0, 0);
                Thread.sleep(2000);
                facts.put("0 warm-up", "warm-up: %d servers booted (%.0f requests/s) and deleted (%.0f requests/s), untimed, before the timed run"
                        .formatted(warmup, boot.perSecond(), removal.perSecond()));
                log("warm-up: %d servers booted and deleted", warmup);
            }

            // --- boot: the API rate, then create -> ACTIVE of every server ----------------------------
            Instant[] sent = new Instant[servers];
            Instant[] answered = new Instant[servers];
            String[] ids = new String[servers];
            Batch create = batch("create", servers, i -> {
                HttpRequest post = createRequest("bench-" + i, imageId);
                sent[i] = Instant.now();
                HttpResponse<String> r = client.send(post, HttpResponse.BodyHandlers.ofString());
                answered[i] = Instant.now();
                expect(r, 202, "create server");
                ids[i] = JSON.readTree(r.body()).path("server").path("id").asText();
            }, 0, 0);
            report.row(create.cells("create POST /v2.1/servers (202), concurrency " + concurrency));
            log("created %d servers: %.0f requests/s, p50 %.1f ms, %d errors%s", create.latencies().count(),
                    create.perSecond(), create.latencies().percentileMillis(50), create.errors(), create.firstErrorSuffix());

            Map<String, JsonNode> booted = awaitBuilt(ids);
            Latencies active = new Latencies();
            Latencies afterAnswer = new Latencies();
            int activeBeforeAnswer = 0;
            int errored = 0;
            int stuck = 0;
            Instant firstSent = null;
            Instant lastLaunched = null;
            Map<String, Integer> perHost = new HashMap<>();
            String firstFault = null;
            for (int i = 0; i < servers; i++) {
                if (ids[i] == null) {
                    continue;
                }
                JsonNode s = booted.get(ids[i]);
                String status = s == null ? "(not listed)" : s.path("status").asText();
                if (!"ACTIVE".equals(status)) {
                    if ("ERROR".equals(status)) {
                        errored++;
                        if (firstFault == null) {
                            firstFault = s.path("fault").path("message").asText("(no fault)");
                        }
                    } else {
                        stuck++;
                    }
                    continue;
                }
                Instant launched = launchedAt(s.path("OS-SRV-USG:launched_at").asText(null));
                if (launched == null) {
                    stuck++;
                    continue;
                }
                active.record(Duration.between(sent[i], launched).toNanos());
                afterAnswer.record(Duration.between(answered[i], launched).toNanos());
                if (launched.isBefore(answered[i])) {
                    activeBeforeAnswer++;
                }
                firstSent = firstSent == null || sent[i].isBefore(firstSent) ? sent[i] : firstSent;
                lastLaunched = lastLaunched == null || launched.isAfter(lastLaunched) ? launched : lastLaunched;
                perHost.merge(s.path("OS-EXT-SRV-ATTR:host").asText("(none)"), 1, Integer::sum);
            }
            double activeSpan = firstSent == null ? Double.NaN : Duration.between(firstSent, lastLaunched).toNanos() / 1e9;
            report.row(List.of("create -> ACTIVE (launched_at - send)", Long.toString(active.count()),
                    Integer.toString(errored + stuck + (int) create.errors()), fmt("%.0f", active.count() / activeSpan),
                    ms(active.percentileMillis(50)), ms(active.percentileMillis(90)), ms(active.percentileMillis(99)),
                    ms(active.maxMillis()), "-", "-", "-"));
            report.row(List.of("202 answer -> ACTIVE (launched_at - answer)", Long.toString(afterAnswer.count()), "-", "-",
                    ms(afterAnswer.percentileMillis(50)), ms(afterAnswer.percentileMillis(90)), ms(afterAnswer.percentileMillis(99)),
                    ms(afterAnswer.maxMillis()), "-", "-", "-"));
            log("create -> ACTIVE: p50 %.1f ms, p99 %.1f ms; %d ACTIVE, %d ERROR, %d still building",
                    active.percentileMillis(50), active.percentileMillis(99), active.count(), errored, stuck);
            int min = perHost.values().stream().mapToInt(Integer::intValue).min().orElse(0);
            int max = perHost.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            facts.put("1 boot", String.format(Locale.ROOT,
                    "boot: %d servers (m1.tiny, networks none, microversion 2.53) at concurrency %d: %d ACTIVE, %d ERROR%s, %d not ACTIVE after %d s;"
                            + " ACTIVE on %d of %d hosts (%d to %d servers per host); first send to last launched_at %.2f s;"
                            + " %d launched before their 202 reached the client (counted as 0 ms in \"202 answer -> ACTIVE\")",
                    servers, concurrency, active.count(), errored, firstFault == null ? "" : " (first fault: " + firstFault + ")",
                    stuck, activeTimeout, perHost.size(), hosts, min, max, activeSpan, activeBeforeAnswer));
            if (create.firstError() != null) {
                facts.put("1 boot errors", "first create error: " + create.firstError());
            }

            // --- listing: fill the project, then time one page of 1000 ---------------------------------
            double detailP50 = Double.NaN;
            if (listServers > 0) {
                int extra = Math.max(0, listServers - servers);
                if (extra > 0) {
                    log("creating %d more servers for the listing", extra);
                    Batch fill = batch("created", extra, i -> {
                        HttpResponse<String> r = client.send(createRequest("bench-list-" + i, imageId), HttpResponse.BodyHandlers.ofString());
                        expect(r, 202, "create server");
                    }, 1000, servers);
                    log("created %d more servers in %.1f s (%.0f requests/s), %d errors%s", fill.latencies().count(), fill.seconds(),
                            fill.perSecond(), fill.errors(), fill.firstErrorSuffix());
                    facts.put("2 fill", String.format(Locale.ROOT,
                            "fill: %d more servers created for the listing in %.1f s (%.0f requests/s, p50 %.1f ms, p99 %.1f ms), %d errors%s",
                            fill.latencies().count(), fill.seconds(), fill.perSecond(), fill.latencies().percentileMillis(50),
                            fill.latencies().percentileMillis(99), fill.errors(), fill.firstErrorSuffix()));
                    awaitNoBuild(Duration.ofSeconds(Math.max(activeTimeout, extra / 20L)));
                }
                int total = countServers();
                log("the project has %d servers; timing listings", total);
                Listing detail = listing("/v2.1/servers/detail?limit=1000", total);
                report.row(detail.cells("list GET /v2.1/servers/detail?limit=1000 (" + total + " servers)"));
                Listing summary = listing("/v2.1/servers?limit=1000", total);
                report.row(summary.cells("list GET /v2.1/servers?limit=1000 (" + total + " servers)"));
                detailP50 = detail.latencies.percentileMillis(50);
                facts.put("3 list", String.format(Locale.ROOT,
                        "listing: %d servers in the project, %d timed runs after %d warm-ups, one request at a time; one page of %d servers:"
                                + " detail %d bytes, summary %d bytes",
                        total, listRuns, listWarmups, detail.servers, detail.bytes, summary.bytes));
                listDetailServers = total;
                listDetailP99 = detail.latencies.percentileMillis(99);
            }

            // --- delete the booted servers ------------------------------------------------------------
            if (deleteRate) {
                List<String> toDelete = new ArrayList<>();
                for (String id : ids) {
                    if (id != null) {
                        toDelete.add(id);
                    }
                }
                Batch delete = batch("delete", toDelete.size(), i -> {
                    HttpRequest del = HttpRequest.newBuilder(URI.create(compute + "/v2.1/servers/" + toDelete.get(i)))
                            .header("X-Auth-Token", token).header("OpenStack-API-Version", MICROVERSION)
                            .timeout(Duration.ofSeconds(60)).DELETE().build();
                    expect(client.send(del, HttpResponse.BodyHandlers.ofString()), 204, "delete server");
                }, 0, 0);
                report.row(delete.cells("delete DELETE /v2.1/servers/{id} (204), concurrency " + concurrency));
                log("deleted %d servers: %.0f requests/s, %d errors%s", delete.latencies().count(), delete.perSecond(),
                        delete.errors(), delete.firstErrorSuffix());
                if (delete.firstError() != null) {
                    facts.put("4 delete errors", "first delete error: " + delete.firstError());
                }
            }

            facts.values().forEach(report::line);
            double activeP50 = active.percentileMillis(50);
            report.line(String.format(Locale.ROOT, "target: create -> ACTIVE p50 < %.0f ms for the %d-server run: %.1f ms: %s%s",
                    ACTIVE_P50_TARGET_MS, servers, activeP50, activeP50 < ACTIVE_P50_TARGET_MS ? "met" : "NOT met",
                    servers == 500 ? "" : " (the target is for 500 servers)"));
            if (listServers > 0) {
                report.line(String.format(Locale.ROOT,
                        "target: list %d servers (detail, one page of 1000) < %.0f ms: p50 %.1f ms, p99 %.1f ms: %s%s",
                        listDetailServers, LIST_TARGET_MS, detailP50, listDetailP99,
                        detailP50 < LIST_TARGET_MS ? "met" : "NOT met",
                        listDetailServers >= 10_000 ? "" : " (the target is for 10000 servers)"));
            }
            return 0;
        }

        private int listDetailServers;
        private double listDetailP99 = Double.NaN;

        private HttpRequest createRequest(String name, String imageId) {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("server").put("name", name).put("imageRef", imageId).put("flavorRef", "1").put("networks", "none");
            return HttpRequest.newBuilder(URI.create(compute + "/v2.1/servers")).header("X-Auth-Token", token)
                    .header("OpenStack-API-Version", MICROVERSION).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        }

        private HttpRequest get(String pathAndQuery) {
            return HttpRequest.newBuilder(URI.create(compute + pathAndQuery)).header("X-Auth-Token", token)
                    .header("OpenStack-API-Version", MICROVERSION).timeout(Duration.ofSeconds(60)).GET().build();
        }

        /** Polls the detail listing (pages of 1000) until none of these servers is in BUILD, or the timeout. */
        private Map<String, JsonNode> awaitBuilt(String[] ids) throws Exception {
            Set<String> wanted = new HashSet<>();
            for (String id : ids) {
                if (id != null) {
                    wanted.add(id);
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(activeTimeout).toNanos();
            long started = System.nanoTime();
            Map<String, JsonNode> seen = new HashMap<>();
            while (true) {
                seen.clear();
                String marker = null;
                do {
                    String query = "/v2.1/servers/detail?limit=1000" + (marker == null ? "" : "&marker=" + enc(marker));
                    HttpResponse<String> r = client.send(get(query), HttpResponse.BodyHandlers.ofString());
                    expect(r, 200, "list servers");
                    JsonNode page = JSON.readTree(r.body()).path("servers");
                    marker = null;
                    for (JsonNode s : page) {
                        if (wanted.contains(s.path("id").asText())) {
                            seen.put(s.path("id").asText(), s);
                        }
                        marker = s.path("id").asText();
                    }
                    if (page.size() < 1000) {
                        marker = null;
                    }
                } while (marker != null);
                long building = wanted.stream().filter(id -> {
                    JsonNode s = seen.get(id);
                    return s == null || !Set.of("ACTIVE", "ERROR").contains(s.path("status").asText());
                }).count();
                if (building == 0) {
                    log("all %d servers left BUILD %.1f s after the last create answered", wanted.size(),
                            (System.nanoTime() - started) / 1e9);
                    return seen;
                }
                if (System.nanoTime() - deadline >= 0) {
                    log("%d of %d servers still not ACTIVE or ERROR after %d s", building, wanted.size(), activeTimeout);
                    return seen;
                }
                Thread.sleep(200);
            }
        }

        /** Waits until the project has no server in BUILD (GET /v2.1/servers?status=BUILD). */
        private void awaitNoBuild(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            long started = System.nanoTime();
            long lastLog = started;
            while (true) {
                HttpResponse<String> r = client.send(get("/v2.1/servers?status=BUILD&limit=1000"), HttpResponse.BodyHandlers.ofString());
                expect(r, 200, "list building servers");
                int building = JSON.readTree(r.body()).path("servers").size();
                if (building == 0) {
                    log("no server in BUILD %.1f s after the last create answered", (System.nanoTime() - started) / 1e9);
                    return;
                }
                if (System.nanoTime() - deadline >= 0) {
                    log("still %s servers in BUILD after %d s; listing anyway", building == 1000 ? "1000 or more" : building,
                            timeout.toSeconds());
                    facts.put("2 fill stuck", "fill: " + (building == 1000 ? "1000 or more" : building)
                            + " servers still in BUILD after " + timeout.toSeconds() + " s when the listing was timed");
                    return;
                }
                if (System.nanoTime() - lastLog > 5_000_000_000L) {
                    log("%s servers still in BUILD", building == 1000 ? "1000 or more" : building);
                    lastLog = System.nanoTime();
                }
                Thread.sleep(500);
            }
        }

        /** Servers of the project, counted through summary pages of 1000. */
        private int countServers() throws Exception {
            int total = 0;
            String marker = null;
            do {
                String query = "/v2.1/servers?limit=1000" + (marker == null ? "" : "&marker=" + enc(marker));
                HttpResponse<String> r = client.send(get(query), HttpResponse.BodyHandlers.ofString());
                expect(r, 200, "list servers");
                JsonNode page = JSON.readTree(r.body()).path("servers");
                total += page.size();
                marker = page.size() == 1000 ? page.get(999).path("id").asText() : null;
            } while (marker != null);
            return total;
        }

        record Listing(Latencies latencies, long errors, double seconds, Proc.CpuUse cpu, int servers, long bytes) {
            List<String> cells(String name) {
                return List.of(name, Long.toString(latencies.count()), Long.toString(errors), fmt("%.1f", latencies.count() / seconds),
                        ms(latencies.percentileMillis(50)), ms(latencies.percentileMillis(90)), ms(latencies.percentileMillis(99)),
                        ms(latencies.maxMillis()), fmt("%.2f", cpu.serverCores()), fmt("%.2f", cpu.clientCores()),
                        fmt("%.2f", cpu.otherCores()));
            }
        }

        /** One request at a time: warm-ups, then timed runs from send to the last byte of the body. */
        private Listing listing(String pathAndQuery, int total) throws Exception {
            HttpRequest request = get(pathAndQuery);
            HttpResponse<byte[]> first = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            expect(first, 200, "list servers");
            int count = JSON.readTree(first.body()).path("servers").size();
            if (count != Math.min(total, 1000)) {
                throw new IOException(pathAndQuery + " answered " + count + " servers, expected " + Math.min(total, 1000));
            }
            long bytes = first.body().length;
            for (int i = 1; i < listWarmups; i++) {
                client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            }
            Latencies latencies = new Latencies();
            long errors = 0;
            Proc.Snapshot before = Proc.Snapshot.take(server.serverPid, Proc.selfCpuSeconds());
            long start = System.nanoTime();
            for (int i = 0; i < listRuns; i++) {
                long t = System.nanoTime();
                HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                long took = System.nanoTime() - t;
                if (r.statusCode() == 200) {
                    latencies.record(took);
                } else {
                    errors++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Proc.CpuUse cpu = before.until(Proc.Snapshot.take(server.serverPid, Proc.selfCpuSeconds()));
            log("%s: p50 %.1f ms, p99 %.1f ms, %d bytes", pathAndQuery, latencies.percentileMillis(50),
                    latencies.percentileMillis(99), bytes);
            return new Listing(latencies, errors, seconds, cpu, count, bytes);
        }

        /** {@link Batch#run} at this run's concurrency, threads named compute-what-N. */
        private Batch batch(String what, int count, Batch.Step step, int progressEvery, int progressBase) throws InterruptedException {
            return Batch.run("compute", what, count, concurrency, server.serverPid, step, progressEvery, progressBase);
        }

        /** A tiny public raw image, uploaded and active. */
        private String uploadImage(URI image) throws Exception {
            ObjectNode body = JSON.createObjectNode().put("name", "bench-compute").put("disk_format", "raw")
                    .put("container_format", "bare").put("visibility", "public");
            HttpRequest post = HttpRequest.newBuilder(URI.create(image + "/v2/images")).header("X-Auth-Token", token)
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
            HttpResponse<String> r = client.send(post, HttpResponse.BodyHandlers.ofString());
            expect(r, 201, "create image");
            String id = JSON.readTree(r.body()).path("id").asText();
            HttpRequest put = HttpRequest.newBuilder(URI.create(image + "/v2/images/" + id + "/file")).header("X-Auth-Token", token)
                    .header("Content-Type", "application/octet-stream").timeout(Duration.ofSeconds(30))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray("nubes compute bench image\n".getBytes(StandardCharsets.UTF_8))).build();
            expect(client.send(put, HttpResponse.BodyHandlers.ofString()), 204, "upload image");
            HttpRequest show = HttpRequest.newBuilder(URI.create(image + "/v2/images/" + id)).header("X-Auth-Token", token)
                    .timeout(Duration.ofSeconds(30)).GET().build();
            HttpResponse<String> shown = client.send(show, HttpResponse.BodyHandlers.ofString());
            expect(shown, 200, "show image");
            if (!"active".equals(JSON.readTree(shown.body()).path("status").asText())) {
                throw new IOException("the image is not active after its upload: " + shown.body());
            }
            return id;
        }

        private String token(URI identity, IdentityBench.Credentials admin) throws Exception {
            return Nova.token(client, identity, admin);
        }

        static Instant launchedAt(String text) {
            return Nova.launchedAt(text);
        }

        private static void expect(HttpResponse<?> r, int status, String what) throws IOException {
            Nova.expect(r, status, what);
        }

        private static String enc(String text) {
            return Nova.enc(text);
        }

        private static URI local(String url) {
            return Nova.local(url);
        }
    }

    @Command(name = "report", description = "Prints the results gathered so far as one table.")
    static final class Print implements Callable<Integer> {
        @Option(names = "--results", required = true, description = "File the results were appended to.")
        Path results;

        @Override
        public Integer call() {
            System.out.print(new Report(results).render(HEADERS));
            return 0;
        }
    }

    static String ms(double millis) {
        return Fmt.ms(millis);
    }

    static String fmt(String format, double value) {
        return Fmt.num(format, value);
    }

    static void log(String format, Object... args) {
        Fmt.log(format, args);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ComputeBench()).execute(args));
    }
}
