package org.nubes.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCrypt;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The identity (Keystone v3) benchmark. bench/identity runs its phases around one server:
 * {@code load} (token issue and validation under load, and the bcrypt ceiling) while the script's
 * server runs, {@code startup} (restarts on the same data directory) after the script stopped it,
 * and {@code report}, which prints everything as one table.
 */
@Command(name = "identity-bench", mixinStandardHelpOptions = true,
        description = "Benchmarks the Nubes identity API.",
        subcommands = {IdentityBench.Load.class, IdentityBench.Startup.class, IdentityBench.Print.class})
public final class IdentityBench {
    static final String PASSWORD = "password token issue";
    static final String TOKEN = "token-method token issue";
    static final String VALIDATE = "token validation";
    private static final Map<String, String> NAMES = Map.of("password", PASSWORD, "token", TOKEN, "validate", VALIDATE);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The admin credentials of the cloud, as clouds.yaml holds them. */
    record Credentials(String user, String password, String project, String userDomain, String projectDomain) {
        static Credentials read(Path cloudsYaml) throws IOException {
            JsonNode auth = new ObjectMapper(new YAMLFactory()).readTree(cloudsYaml.toFile()).path("clouds").path("nubes").path("auth");
            if (!auth.path("password").isTextual()) {
                throw new IOException("no clouds.nubes.auth.password in " + cloudsYaml);
            }
            return new Credentials(auth.path("username").asText("admin"), auth.path("password").asText(),
                    auth.path("project_name").asText("admin"), auth.path("user_domain_name").asText("Default"),
                    auth.path("project_domain_name").asText("Default"));
        }
    }

    @Command(name = "load", description = "Token issue and validation under load, and the bcrypt ceiling.")
    static final class Load implements Callable<Integer> {
        @Option(names = "--url", required = true, description = "Identity base URL; must be on 127.0.0.1.")
        String url;

        @Option(names = "--clouds", required = true, description = "clouds.yaml with the admin password.")
        Path clouds;

        @Option(names = "--server-pid", description = "PID of the server, for its CPU time and RSS (0: unknown).")
        long serverPid;

        @Option(names = "--results", required = true, description = "File the results are appended to.")
        Path results;

        @Option(names = "--warmup", defaultValue = "3", description = "Warm-up seconds before each measurement (default ${DEFAULT-VALUE}).")
        double warmup;

        @Option(names = "--duration", defaultValue = "10", description = "Measured seconds per run (default ${DEFAULT-VALUE}).")
        double duration;

        @Option(names = "--concurrency", split = ",", defaultValue = "1,16", description = "Concurrencies to run (default ${DEFAULT-VALUE}).")
        List<Integer> concurrency;

        @Option(names = "--benchmarks", split = ",", defaultValue = "password,token,validate",
                description = "Which to run with the JDK client: password, token, validate (default ${DEFAULT-VALUE}).")
        List<String> benchmarks;

        @Option(names = "--wrk", split = ",", defaultValue = "token,validate",
                description = "Which to run again with wrk, if installed; 'none' for none (default ${DEFAULT-VALUE}).")
        List<String> wrk;

        @Option(names = "--tokens", defaultValue = "100", description = "Distinct subject tokens validated round-robin (default ${DEFAULT-VALUE}).")
        int tokens;

        @Option(names = "--max-requests", defaultValue = "20000000", description = "Bound on requests per run (default ${DEFAULT-VALUE}).")
        long maxRequests;

        @Option(names = "--bcrypt-seconds", defaultValue = "5", description = "Measured seconds per bcrypt ceiling run, 0 to skip (default ${DEFAULT-VALUE}).")
        double bcryptSeconds;

        @Option(names = "--bcrypt-cost", defaultValue = "12", description = "bcrypt cost of the ceiling (default ${DEFAULT-VALUE}, as the server's default).")
        int bcryptCost;

        @Option(names = "--bcrypt-threads", description = "Threads of the bcrypt ceiling (default: the number of cores).")
        Integer bcryptThreads;

        @Option(names = "--quiet-below", defaultValue = "0.25",
                description = "Before each run, wait until other processes use fewer cores than this (default ${DEFAULT-VALUE}).")
        double quietBelow;

        @Option(names = "--quiet-wait", defaultValue = "60", description = "Longest wait for that, in seconds; 0: do not wait (default ${DEFAULT-VALUE}).")
        double quietWait;

        @Option(names = "--client-executor", defaultValue = "direct",
                description = "Executor of the JDK client's own tasks: virtual, default (its thread pool) or direct (default ${DEFAULT-VALUE}).")
        String clientExecutor;

        @Option(names = "--work-dir", defaultValue = "${java.io.tmpdir}", description = "Where to write wrk scripts.")
        Path workDir;

        private HttpClient client;
        private URI tokensUri;

        @Override
        public Integer call() throws Exception {
            URI base = URI.create(url.replaceAll("/+$", ""));
            if (!"127.0.0.1".equals(base.getHost())) {
                throw new IllegalArgumentException("--url must be on 127.0.0.1, not " + base.getHost());
            }
            tokensUri = URI.create(base + "/v3/auth/tokens");
            Report report = new Report(results);
            Credentials admin = Credentials.read(clouds);
            HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5));
            switch (clientExecutor) {
                case "virtual" -> builder.executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
                case "direct" -> builder.executor(Runnable::run);
                case "default" -> { }
                default -> throw new IllegalArgumentException("--client-executor: virtual, default or direct");
            }
            client = builder.build();

            String passwordBody = passwordBody(admin);
            HttpResponse<String> first = send(post(passwordBody), HttpResponse.BodyHandlers.ofString(), 201);
            String adminToken = first.headers().firstValue("X-Subject-Token").orElseThrow();
            String projectId = JSON.readTree(first.body()).path("token").path("project").path("id").asText();
            String rescopeBody = rescopeBody(adminToken, projectId);
            List<String> subjects = new ArrayList<>();
            for (int i = 0; i < tokens; i++) {
                subjects.add(send(post(rescopeBody), HttpResponse.BodyHandlers.discarding(), 201)
                        .headers().firstValue("X-Subject-Token").orElseThrow());
            }
            List<HttpRequest> validations = subjects.stream().map(s -> HttpRequest.newBuilder(tokensUri)
                    .header("X-Auth-Token", adminToken).header("X-Subject-Token", s)
                    .timeout(Duration.ofSeconds(60)).GET().build()).toList();
            JsonNode checked = JSON.readTree(send(validations.getFirst(), HttpResponse.BodyHandlers.ofString(), 200).body());
            if (!checked.path("token").path("catalog").isArray()) {
                throw new IOException("a validated token has no catalog: " + checked);
            }
            log("%d subject tokens issued; project %s", subjects.size(), projectId);

            Map<String, LoadRun.Call> calls = new LinkedHashMap<>();
            HttpRequest password = post(passwordBody);
            HttpRequest rescope = post(rescopeBody);
            calls.put(PASSWORD, (w, i) -> expect(password, 201));
            calls.put(TOKEN, (w, i) -> expect(rescope, 201));
            int n = validations.size();
            calls.put(VALIDATE, (w, i) -> expect(validations.get((int) ((w * 7919L + i) % n)), 200));

            LoadRun.Options options = new LoadRun.Options(1, seconds(warmup), seconds(duration), maxRequests);
            Map<Integer, LoadRun.Result> passwordRuns = new TreeMap<>();
            for (String key : benchmarks) {
                String name = name(key);
                for (int c : concurrency) {
                    quiet();
                    LoadRun.Result r = LoadRun.run(name, "jdk-httpclient", options.withConcurrency(c), serverPid, calls.get(name));
                    record(report, r);
                    if (name.equals(PASSWORD)) {
                        passwordRuns.put(c, r);
                    }
                }
            }

            List<String> wrkRuns = wrk.stream().filter(w -> !w.equals("none") && !w.isBlank()).toList();
            if (!wrkRuns.isEmpty() && !Wrk.available()) {
                log("wrk is not installed: skipping the wrk runs");
                report.line("wrk: not installed, no wrk runs");
            } else {
                Map<String, String> json = Map.of("Content-Type", "application/json");
                for (String key : wrkRuns) {
                    String name = name(key);
                    List<Wrk.Request> requests = switch (name) {
                        case PASSWORD -> List.of(new Wrk.Request("POST", tokensUri.getPath(), json, passwordBody, 201));
                        case TOKEN -> List.of(new Wrk.Request("POST", tokensUri.getPath(), json, rescopeBody, 201));
                        default -> subjects.stream().map(s -> new Wrk.Request("GET", tokensUri.getPath(),
                                Map.of("X-Auth-Token", adminToken, "X-Subject-Token", s), null, 200)).toList();
                    };
                    for (int c : concurrency) {
                        quiet();
                        record(report, Wrk.run(name, base.toString(), requests, options.withConcurrency(c), serverPid, workDir));
                    }
                }
            }

            if (serverPid > 0) {
                report.line(String.format(Locale.ROOT, "server RSS after the load runs: %.0f MB (peak VmHWM %.0f MB)",
                        Proc.statusKb(serverPid, "VmRSS") / 1024.0, Proc.statusKb(serverPid, "VmHWM") / 1024.0));
            }

            if (bcryptSeconds > 0) {
                int threads = bcryptThreads != null ? bcryptThreads : Runtime.getRuntime().availableProcessors();
                quiet();
                Bcrypt oneRun = bcryptChecksPerSecond(1, bcryptCost, seconds(bcryptSeconds));
                quiet();
                Bcrypt allRun = threads == 1 ? oneRun : bcryptChecksPerSecond(threads, bcryptCost, seconds(bcryptSeconds));
                double one = oneRun.perSecond();
                double all = allRun.perSecond();
                report.line(String.format(Locale.ROOT, "bcrypt ceiling (cost %d, in-process, spring-security-crypto): "
                        + "%.2f checks/s with 1 thread, %.2f checks/s with %d threads (other CPU %.2f / %.2f cores)",
                        bcryptCost, one, all, threads, oneRun.otherCores(), allRun.otherCores()));
                passwordRuns.forEach((c, r) -> {
                    boolean serial = c == 1;
                    double ceiling = serial ? one : all;
                    report.line(String.format(Locale.ROOT, "password issue at concurrency %d: %.2f/s = %.0f%% of the %s ceiling",
                            c, r.requestsPerSecond(), 100 * r.requestsPerSecond() / ceiling,
                            serial ? "1-thread" : threads + "-thread"));
                });
            }
            return 0;
        }

        private void quiet() throws InterruptedException {
            if (quietWait > 0) {
                long start = System.nanoTime();
                double other = Proc.awaitQuiet(serverPid, quietBelow, seconds(quietWait));
                if (other >= quietBelow) {
                    log("other processes still use %.2f cores after %.0f s; measuring anyway", other, quietWait);
                } else if (System.nanoTime() - start > 1_500_000_000L) {
                    log("waited %.0f s for other processes to quieten", (System.nanoTime() - start) / 1e9);
                }
            }
        }

        private void record(Report report, LoadRun.Result r) {
            report.row(r);
            log("%-26s %-14s c=%-3d %9.1f req/s  p50 %8.2f ms  p99 %8.2f ms  errors %d  cpu server %.2f client %.2f other %.2f",
                    r.benchmark(), r.tool(), r.concurrency(), r.requestsPerSecond(), r.p50Ms(), r.p99Ms(), r.errors(),
                    r.cpu().serverCores(), r.cpu().clientCores(), r.cpu().otherCores());
            if (r.errors() > 0) {
                log("  first error: %s", r.firstError());
                report.line(r.benchmark() + " (" + r.tool() + ", concurrency " + r.concurrency() + "): "
                        + r.errors() + " errors, first: " + r.firstError());
            }
        }

        private HttpRequest post(String body) {
            return HttpRequest.newBuilder(tokensUri).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        }

        private void expect(HttpRequest request, int status) throws IOException, InterruptedException {
            send(request, HttpResponse.BodyHandlers.discarding(), status);
        }

        private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, int status)
                throws IOException, InterruptedException {
            HttpResponse<T> response = client.send(request, handler);
            if (response.statusCode() != status) {
                throw new IOException(request.method() + " " + request.uri().getPath() + ": " + response.statusCode()
                        + " instead of " + status + (response.body() instanceof String s ? ": " + s : ""));
            }
            return response;
        }

        private static String passwordBody(Credentials admin) {
            ObjectNode root = JSON.createObjectNode();
            ObjectNode auth = root.putObject("auth");
            ObjectNode identity = auth.putObject("identity");
            identity.putArray("methods").add("password");
            ObjectNode user = identity.putObject("password").putObject("user");
            user.put("name", admin.user()).put("password", admin.password()).putObject("domain").put("name", admin.userDomain());
            ObjectNode project = auth.putObject("scope").putObject("project");
            project.put("name", admin.project()).putObject("domain").put("name", admin.projectDomain());
            return root.toString();
        }

        private static String rescopeBody(String token, String projectId) {
            ObjectNode root = JSON.createObjectNode();
            ObjectNode auth = root.putObject("auth");
            ObjectNode identity = auth.putObject("identity");
            identity.putArray("methods").add("token");
            identity.putObject("token").put("id", token);
            auth.putObject("scope").putObject("project").put("id", projectId);
            return root.toString();
        }
    }

    /**
     * How many bcrypt checks per second this machine does: threads each check one password
     * against a hash of the given cost, for the duration, after a short warm-up.
     */
    record Bcrypt(double perSecond, double otherCores) {}

    static Bcrypt bcryptChecksPerSecond(int threads, int cost, Duration duration) throws InterruptedException {
        String hash = BCrypt.hashpw("nubes-bench-password", BCrypt.gensalt(cost));
        double[] rates = new double[threads];
        List<Thread> workers = new ArrayList<>();
        Proc.Snapshot before = Proc.Snapshot.take(0, Proc.selfCpuSeconds());
        for (int t = 0; t < threads; t++) {
            int me = t;
            workers.add(Thread.ofPlatform().name("bcrypt-" + t).start(() -> {
                BCrypt.checkpw("nubes-bench-password", hash); // warm-up
                long start = System.nanoTime();
                long end = start + duration.toNanos();
                long checks = 0;
                long now = start;
                while (now - end < 0 && checks < 1_000_000) {
                    if (!BCrypt.checkpw("nubes-bench-password", hash)) {
                        throw new IllegalStateException("bcrypt check failed");
                    }
                    checks++;
                    now = System.nanoTime();
                }
                rates[me] = checks / ((now - start) / 1e9);
            }));
        }
        double total = 0;
        for (int t = 0; t < threads; t++) {
            workers.get(t).join();
            total += rates[t];
        }
        Proc.CpuUse cpu = before.until(Proc.Snapshot.take(0, Proc.selfCpuSeconds()));
        log("bcrypt cost %d, %d thread(s): %.2f checks/s (this process %.2f cores, others %.2f)",
                cost, threads, total, cpu.clientCores(), cpu.otherCores());
        return new Bcrypt(total, cpu.otherCores());
    }

    @Command(name = "startup", description = "Restarts ./nubes up on an existing data directory: time until GET /v3 answers, and idle RSS.")
    static final class Startup implements Callable<Integer> {
        private static final Pattern READY = Pattern.compile("nubes: ready in (\\d+) ms");

        @Option(names = "--nubes", required = true, description = "The ./nubes launcher.")
        Path nubes;

        @Option(names = "--data-dir", required = true, description = "A data directory the cloud was already bootstrapped in.")
        Path dataDir;

        @Option(names = "--port", required = true, description = "Identity port to start on (a free one).")
        int port;

        @Option(names = "--results", required = true, description = "File the results are appended to.")
        Path results;

        @Option(names = "--starts", defaultValue = "3", description = "Timed starts (default ${DEFAULT-VALUE}).")
        int starts;

        @Option(names = "--idle-seconds", defaultValue = "5", description = "Seconds after ready to read the idle RSS (default ${DEFAULT-VALUE}).")
        double idleSeconds;

        @Option(names = "--quiet-below", defaultValue = "0.25", description = "Before each start, wait until other processes use fewer cores than this (default ${DEFAULT-VALUE}).")
        double quietBelow;

        @Option(names = "--quiet-wait", defaultValue = "60", description = "Longest wait for that, in seconds; 0: do not wait (default ${DEFAULT-VALUE}).")
        double quietWait;

        @Option(names = "--timeout", defaultValue = "300", description = "Seconds a start may take, a rebuild included (default ${DEFAULT-VALUE}).")
        double timeout;

        @Override
        public Integer call() throws Exception {
            Report report = new Report(results);
            List<Long> launchToAnswer = new ArrayList<>();
            List<Long> serverReported = new ArrayList<>();
            long rssKb = -1;
            long hwmKb = -1;
            int rebuilds = 0;
            for (int attempt = 0; launchToAnswer.size() < starts && attempt < starts + 3; attempt++) {
                if (quietWait > 0 && Proc.awaitQuiet(0, quietBelow, seconds(quietWait)) >= quietBelow) {
                    log("other processes still busy after %.0f s; starting anyway", quietWait);
                }
                if (ServerProcess.probe(port, "/v3") != -1) {
                    throw new IOException("port " + port + " already answers; is another server still running?");
                }
                Path log = dataDir.toAbsolutePath().getParent().resolve("startup-" + attempt + ".log");
                try (ServerProcess server = ServerProcess.start(
                        List.of(nubes.toAbsolutePath().toString(), "up", "--data-dir", dataDir.toAbsolutePath().toString()),
                        dataDir.toAbsolutePath().getParent(), Map.of("NUBES_IDENTITY_PORT", Integer.toString(port)), log)) {
                    Duration ready = server.awaitReady(port, "/v3", seconds(timeout));
                    boolean lastSample = launchToAnswer.size() == starts - 1;
                    // the "ready in" line is printed just after the port opens
                    Matcher m = READY.matcher("");
                    for (int i = 0; i < 200 && !(m = READY.matcher(server.output())).find(); i++) {
                        Thread.sleep(10);
                    }
                    if (server.output().contains("nubes: building")) {
                        rebuilds++;
                        log("start %d rebuilt the sources first (someone changed them): not counted", attempt + 1);
                    } else {
                        launchToAnswer.add(ready.toMillis());
                        if (m.find(0)) {
                            serverReported.add(Long.parseLong(m.group(1)));
                        }
                        log("start %d: GET /v3 answered %d ms after launch", attempt + 1, ready.toMillis());
                        if (lastSample) {
                            Thread.sleep(seconds(idleSeconds));
                            rssKb = Proc.statusKb(server.pid(), "VmRSS");
                            hwmKb = Proc.statusKb(server.pid(), "VmHWM");
                        }
                    }
                }
            }
            if (launchToAnswer.isEmpty()) {
                report.line("start-up: no start could be timed (" + rebuilds + " rebuilt the sources first)");
                return 1;
            }
            report.line(String.format(Locale.ROOT, "start-up (launch ./nubes up on an existing data dir until GET /v3 answers 200): "
                    + "median %d ms of %s%s", median(launchToAnswer), launchToAnswer,
                    serverReported.isEmpty() ? "" : "; the server's own 'ready in': median " + median(serverReported) + " ms"));
            if (rssKb > 0) {
                report.line(String.format(Locale.ROOT, "idle RSS %.0fs after ready: %.0f MB (VmHWM %.0f MB)",
                        idleSeconds, rssKb / 1024.0, hwmKb / 1024.0));
            }
            return 0;
        }

        private static long median(List<Long> values) {
            List<Long> sorted = values.stream().sorted().toList();
            return sorted.get(sorted.size() / 2);
        }
    }

    @Command(name = "report", description = "Prints the results gathered so far as one table.")
    static final class Print implements Callable<Integer> {
        @Option(names = "--results", required = true)
        Path results;

        @Override
        public Integer call() throws IOException {
            if (!Files.exists(results)) {
                System.err.println("identity-bench: no results in " + results);
                return 1;
            }
            System.out.print(new Report(results).render(LoadRun.HEADERS));
            return 0;
        }
    }

    static String name(String key) {
        String name = NAMES.get(key.strip());
        if (name == null) {
            throw new CommandLine.ParameterException(new CommandLine(new IdentityBench()),
                    "unknown benchmark '" + key + "'; known: " + NAMES.keySet());
        }
        return name;
    }

    static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    static void log(String format, Object... args) {
        System.err.println("bench: " + String.format(Locale.ROOT, format, args));
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new IdentityBench()).execute(args));
    }
}
