package org.nubes.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The networking (Neutron v2.0) benchmark: ports created concurrently on one subnet, each getting
 * an address from IPAM and a MAC address, then deleted. bench/network starts the server and calls
 * {@code run}, then {@code report}.
 */
@Command(name = "network-bench", mixinStandardHelpOptions = true,
        description = "Benchmarks port create (with IPAM) and delete of the Nubes networking API.",
        subcommands = {NetworkBench.Run.class, NetworkBench.Print.class})
public final class NetworkBench {
    static final List<String> HEADERS = List.of("measurement", "count", "errors", "per second", "p50 ms", "p90 ms",
            "p99 ms", "max ms", "server CPU", "client CPU", "other CPU");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Command(name = "run", description = "Create and delete ports through the API.")
    static final class Run implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Option(names = "--network-url", required = true, description = "Networking base URL; must be on 127.0.0.1.")
        String networkUrl;

        @Option(names = "--ports", defaultValue = "4000", description = "Ports created and timed (default ${DEFAULT-VALUE}).")
        int ports;

        @Option(names = "--warmup", defaultValue = "2000",
                description = "Ports created and deleted untimed first, for a warmed-up JVM (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--concurrency", defaultValue = "16", description = "Concurrent requests (default ${DEFAULT-VALUE}).")
        int concurrency;

        @Option(names = "--cidr", defaultValue = "10.128.0.0/16", description = "The subnet the ports take addresses from (default ${DEFAULT-VALUE}).")
        String cidr;

        private HttpClient client;
        private URI network;
        private String token;

        @Override
        public Integer call() throws Exception {
            if (ports < 1 || concurrency < 1) {
                throw new IllegalArgumentException("--ports and --concurrency must be at least 1");
            }
            network = Nova.local(networkUrl);
            Report report = new Report(server.results);
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            token = Nova.token(client, Nova.local(server.identityUrl), IdentityBench.Credentials.read(server.clouds));

            JsonNode net = send("POST", "/v2.0/networks", body("network", JSON.createObjectNode().put("name", "bench")), 201)
                    .path("network");
            String project = net.path("project_id").asText();
            ObjectNode unlimited = JSON.createObjectNode();
            unlimited.putObject("quota").put("port", -1);
            send("PUT", "/v2.0/quotas/" + project, unlimited, 200);
            send("POST", "/v2.0/subnets", body("subnet", JSON.createObjectNode().put("network_id", net.path("id").asText())
                    .put("cidr", cidr).put("ip_version", 4)), 201);
            String networkId = net.path("id").asText();

            if (warmup > 0) {
                String[] warm = createPorts("warm-up create", warmup, networkId).ids;
                deletePorts("warm-up delete", warm);
                Fmt.log("warm-up: %d ports created and deleted", warmup);
            }
            Created created = createPorts("create", ports, networkId);
            report.row(created.batch.cells("port create (IPAM, MAC), c" + concurrency));
            Batch removal = deletePorts("delete", created.ids);
            report.row(removal.cells("port delete, c" + concurrency));
            report.line("%d ports on one %s subnet of one project, %d requests at a time; warm-up: %d ports created and deleted untimed first"
                    .formatted(ports, cidr, concurrency, warmup));
            if (created.batch.errors() > 0) {
                report.line("create errors" + created.batch.firstErrorSuffix());
            }
            return 0;
        }

        private record Created(Batch batch, String[] ids) {}

        private Created createPorts(String what, int count, String networkId) throws Exception {
            String[] ids = new String[count];
            Batch batch = Batch.run("network", what, count, concurrency, server.serverPid, i -> {
                JsonNode port = send("POST", "/v2.0/ports", body("port", JSON.createObjectNode().put("network_id", networkId)
                        .put("name", "bench-" + i)), 201);
                ids[i] = port.path("port").path("id").asText();
            }, 1000, 0);
            return new Created(batch, ids);
        }

        private Batch deletePorts(String what, String[] ids) throws Exception {
            return Batch.run("network", what, ids.length, concurrency, server.serverPid, i -> {
                if (ids[i] != null) {
                    send("DELETE", "/v2.0/ports/" + ids[i], null, 204);
                }
            }, 1000, 0);
        }

        private JsonNode send(String method, String path, JsonNode body, int status) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(network + path)).header("X-Auth-Token", token)
                    .timeout(Duration.ofSeconds(60));
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
            }
            HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Nova.expect(r, status, method + " " + path);
            return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        }

        private static ObjectNode body(String resource, ObjectNode attributes) {
            ObjectNode body = JSON.createObjectNode();
            body.set(resource, attributes);
            return body;
        }
    }

    @Command(name = "report", description = "Prints the results gathered so far as one table.")
    static final class Print implements Callable<Integer> {
        @Option(names = "--results", required = true, description = "File the results were appended to.")
        java.nio.file.Path results;

        @Override
        public Integer call() {
            System.out.print(new Report(results).render(HEADERS));
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new NetworkBench()).execute(args));
    }
}
