package org.nubes.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The image (Glance v2) benchmark: upload and download of one large image through the image API,
 * next to {@code cp} and {@code cat} of the same file on the same disk. bench/image starts the
 * server and calls {@code run}, then {@code report}.
 */
@Command(name = "image-bench", mixinStandardHelpOptions = true,
        description = "Benchmarks image upload and download throughput of the Nubes image API.",
        subcommands = {ImageBench.Run.class, ImageBench.Print.class})
public final class ImageBench {
    static final List<String> HEADERS = List.of("transfer", "tool", "MB/s", "seconds", "% of cp",
            "server CPU", "client CPU", "other CPU", "server peak RSS MB");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double MB = 1e6;

    @Command(name = "run", description = "Baselines, then upload and download through the API.")
    static final class Run implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Option(names = "--image-url", required = true, description = "Image base URL; must be on 127.0.0.1.")
        String imageUrl;

        @Option(names = "--file", required = true, description = "The file to upload; its directory is where copies go.")
        Path file;

        @Option(names = "--runs", defaultValue = "1", description = "Times each transfer runs; the table shows each (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--curl", defaultValue = "true", negatable = true, fallbackValue = "true",
                description = "Also transfer with curl when installed (default ${DEFAULT-VALUE}).")
        boolean curl;

        @Option(names = "--quiet-below", defaultValue = "0.25",
                description = "Before each transfer, wait until other processes use fewer cores than this (default ${DEFAULT-VALUE}).")
        double quietBelow;

        @Option(names = "--quiet-wait", defaultValue = "30", description = "Longest wait for that, in seconds; 0: do not wait (default ${DEFAULT-VALUE}).")
        double quietWait;

        private HttpClient client;
        private URI image;
        private String token;
        private Report report;
        private double cpMbPerSecond;
        private final List<String> created = new ArrayList<>();
        /** The best MB/s of each transfer and tool, in the order first seen. */
        private final Map<String, Double> best = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            URI identity = local(server.identityUrl);
            image = local(imageUrl);
            report = new Report(server.results);
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            long size = Files.size(file);
            Path dir = file.toAbsolutePath().getParent();
            log("hashing %s (%.0f MB) for the checks", file, size / MB);
            String md5 = md5(file);

            // --- baselines on the same disk ----------------------------------------------------
            Path copy = dir.resolve("cp-copy.bin");
            for (int i = 0; i < runs; i++) {
                Files.deleteIfExists(copy);
                Measured cp = measure(() -> Proc.run("cp", file.toString(), copy.toString()));
                cpMbPerSecond = Math.max(cpMbPerSecond, size / MB / cp.seconds);
                record("copy (cp, page cache, no fsync)", "cp", size, cp, true);
                Files.deleteIfExists(copy);
                Measured cpSync = measure(() -> Proc.run("sh", "-c", "cp \"$0\" \"$1\" && sync \"$1\"", file.toString(), copy.toString()));
                record("copy + fsync (cp; sync FILE)", "cp+sync", size, cpSync, false);
                Files.deleteIfExists(copy);
                Measured cat = measure(() -> Proc.run("sh", "-c", "cat \"$0\" > /dev/null", file.toString()));
                record("read (cat > /dev/null, page cache)", "cat", size, cat, false);
                Measured direct = measure(() -> Proc.run("dd", "if=" + file, "of=/dev/null", "bs=1M", "iflag=direct"));
                record("read from the disk (dd bs=1M iflag=direct)", "dd", size, direct, false);
                Measured hashes = measure(() -> hashCeiling(file));
                record("MD5 + SHA-512 of the file, one thread each (upload's hashing ceiling)", "in-process", size, hashes, false);
            }
            Files.deleteIfExists(copy);

            // --- through the API -----------------------------------------------------------------
            token = token(identity, IdentityBench.Credentials.read(server.clouds));
            long hwmBefore = Proc.statusKb(server.serverPid, "VmHWM");
            boolean withCurl = curl && curlInstalled();
            Path downloaded = dir.resolve("downloaded.bin");
            for (int i = 0; i < runs; i++) {
                String id = createImage("bench-" + i);
                Measured up = measure(() -> {
                    HttpRequest put = HttpRequest.newBuilder(URI.create(image + "/v2/images/" + id + "/file"))
                            .header("X-Auth-Token", token).header("Content-Type", "application/octet-stream")
                            .timeout(Duration.ofMinutes(30)).PUT(HttpRequest.BodyPublishers.ofFile(file)).build();
                    expect(client.send(put, HttpResponse.BodyHandlers.ofString()), 204, "upload");
                });
                record("upload PUT /v2/images/{id}/file", "jdk-httpclient", size, up, false);
                checkActive(id, size, md5);

                Files.deleteIfExists(downloaded);
                Measured toFile = measure(() -> expect(client.send(get(id), HttpResponse.BodyHandlers.ofFile(downloaded)), 200, "download"));
                record("download GET /v2/images/{id}/file to a file", "jdk-httpclient", size, toFile, false);
                check(downloaded, size, md5);
                Files.deleteIfExists(downloaded);
                Measured toNull = measure(() -> expect(client.send(get(id), HttpResponse.BodyHandlers.discarding()), 200, "download"));
                record("download GET /v2/images/{id}/file to nothing", "jdk-httpclient", size, toNull, false);

                if (withCurl) {
                    String curlId = createImage("bench-curl-" + i);
                    Measured curlUp = measure(() -> Proc.run("curl", "-sS", "--fail-with-body", "-o", "/dev/null",
                            "-H", "X-Auth-Token: " + token, "-H", "Content-Type: application/octet-stream",
                            "-T", file.toString(), image + "/v2/images/" + curlId + "/file"));
                    record("upload PUT /v2/images/{id}/file", "curl -T", size, curlUp, false);
                    checkActive(curlId, size, md5);
                    Measured curlDown = measure(() -> Proc.run("curl", "-sS", "--fail-with-body", "-o", downloaded.toString(),
                            "-H", "X-Auth-Token: " + token, image + "/v2/images/" + curlId + "/file"));
                    record("download GET /v2/images/{id}/file to a file", "curl", size, curlDown, false);
                    check(downloaded, size, md5);
                    Files.deleteIfExists(downloaded);
                    Measured curlNull = measure(() -> Proc.run("curl", "-sS", "--fail-with-body", "-o", "/dev/null",
                            "-H", "X-Auth-Token: " + token, image + "/v2/images/" + curlId + "/file"));
                    record("download GET /v2/images/{id}/file to nothing", "curl", size, curlNull, false);
                }
                for (String done : List.copyOf(created)) {
                    deleteImage(done);
                }
            }
            String cpSync = "copy + fsync (cp; sync FILE) (cp+sync)";
            String hashing = "MD5 + SHA-512 of the file, one thread each (upload's hashing ceiling) (in-process)";
            report.line(String.format(Locale.ROOT,
                    "best of %d: cp %.0f MB/s (the reference), cp + fsync %.0f MB/s, disk read (dd iflag=direct) %.0f MB/s,"
                            + " MD5 + SHA-512 ceiling %.0f MB/s",
                    runs, cpMbPerSecond, best.get(cpSync), best.get("read from the disk (dd bs=1M iflag=direct) (dd)"),
                    best.get(hashing)));
            best.forEach((name, mbs) -> {
                if (name.startsWith("upload") || name.startsWith("download")) {
                    report.line(String.format(Locale.ROOT, "target: %s: %.0f MB/s = %.0f%% of cp (%.0f%% of cp + fsync): %s",
                            name, mbs, 100 * mbs / cpMbPerSecond, 100 * mbs / best.get(cpSync),
                            mbs >= cpMbPerSecond / 2 ? "met (>= 50%)" : "NOT met (< 50%)"));
                }
            });
            long hwmAfter = Proc.statusKb(server.serverPid, "VmHWM");
            report.line(String.format(Locale.ROOT,
                    "server VmHWM (peak RSS of its whole life): %.0f MB before the first transfer, %.0f MB after all of them (%.0f MB file; the server runs with -Xmx512m)",
                    hwmBefore / 1024.0, hwmAfter / 1024.0, size / MB));
            return 0;
        }

        /** A table row ("% of cp": of the best cp so far; every cp run comes before the first API transfer). */
        private void record(String transfer, String tool, long size, Measured m, boolean isCp) {
            double mbs = size / MB / m.seconds;
            String ofCp = cpMbPerSecond > 0 ? String.format(Locale.ROOT, "%.0f%%", 100 * mbs / cpMbPerSecond) : "-";
            report.row(List.of(transfer, tool, String.format(Locale.ROOT, "%.0f", mbs), String.format(Locale.ROOT, "%.2f", m.seconds),
                    isCp ? "100%" : ofCp,
                    String.format(Locale.ROOT, "%.2f", m.cpu.serverCores()), String.format(Locale.ROOT, "%.2f", m.cpu.clientCores()),
                    String.format(Locale.ROOT, "%.2f", m.cpu.otherCores()),
                    m.serverPeakRssKb < 0 ? "-" : String.format(Locale.ROOT, "%.0f", m.serverPeakRssKb / 1024.0)));
            best.merge(transfer + " (" + tool + ")", mbs, Math::max);
            log("%s (%s): %.0f MB/s", transfer, tool, mbs);
        }

        interface Action {
            void run() throws Exception;
        }

        record Measured(double seconds, Proc.CpuUse cpu, long serverPeakRssKb) {}

        /** Times the action; meanwhile samples the server's RSS every 20 ms. */
        private Measured measure(Action action) throws Exception {
            quiet();
            AtomicLong peak = new AtomicLong(Proc.statusKb(server.serverPid, "VmRSS"));
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(Proc.statusKb(server.serverPid, "VmRSS"), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Proc.Snapshot before = Proc.Snapshot.take(server.serverPid, clientSeconds());
            long start = System.nanoTime();
            try {
                action.run();
            } finally {
                sampler.interrupt();
                sampler.join();
            }
            long end = System.nanoTime();
            Proc.CpuUse cpu = before.until(Proc.Snapshot.take(server.serverPid, clientSeconds()));
            return new Measured((end - start) / 1e9, cpu, server.serverPid > 0 ? peak.get() : -1);
        }

        private void quiet() throws InterruptedException {
            if (quietWait > 0) {
                double other = Proc.awaitQuiet(server.serverPid, quietBelow, Duration.ofMillis((long) (quietWait * 1000)));
                if (other >= quietBelow) {
                    log("other processes still use %.2f cores; measuring anyway", other);
                }
            }
        }

        /** This JVM plus the commands it ran and waited for (cp, cat, curl). */
        private static double clientSeconds() {
            try {
                return Proc.selfCpuSeconds() + Proc.childrenCpuSeconds(Files.readString(Path.of("/proc/self/stat")));
            } catch (IOException e) {
                return Proc.selfCpuSeconds();
            }
        }

        private String createImage(String name) throws Exception {
            ObjectNode body = JSON.createObjectNode().put("name", name).put("disk_format", "raw").put("container_format", "bare");
            HttpRequest post = HttpRequest.newBuilder(URI.create(image + "/v2/images")).header("X-Auth-Token", token)
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
            HttpResponse<String> r = client.send(post, HttpResponse.BodyHandlers.ofString());
            expect(r, 201, "create image");
            String id = JSON.readTree(r.body()).path("id").asText();
            created.add(id);
            return id;
        }

        private void deleteImage(String id) throws Exception {
            HttpRequest delete = HttpRequest.newBuilder(URI.create(image + "/v2/images/" + id)).header("X-Auth-Token", token)
                    .timeout(Duration.ofSeconds(60)).DELETE().build();
            expect(client.send(delete, HttpResponse.BodyHandlers.ofString()), 204, "delete image");
            created.remove(id);
        }

        private void checkActive(String id, long size, String md5) throws Exception {
            HttpRequest show = HttpRequest.newBuilder(URI.create(image + "/v2/images/" + id)).header("X-Auth-Token", token)
                    .timeout(Duration.ofSeconds(30)).GET().build();
            HttpResponse<String> r = client.send(show, HttpResponse.BodyHandlers.ofString());
            expect(r, 200, "show image");
            JsonNode json = JSON.readTree(r.body());
            if (!"active".equals(json.path("status").asText()) || json.path("size").asLong() != size
                    || !md5.equals(json.path("checksum").asText())) {
                throw new IOException("after the upload the image is not active with size " + size + " and checksum " + md5 + ": " + json);
            }
        }

        private HttpRequest get(String id) {
            return HttpRequest.newBuilder(URI.create(image + "/v2/images/" + id + "/file")).header("X-Auth-Token", token)
                    .timeout(Duration.ofMinutes(30)).GET().build();
        }

        private String token(URI identity, IdentityBench.Credentials admin) throws Exception {
            return Nova.token(client, identity, admin);
        }

        private static void expect(HttpResponse<?> r, int status, String what) throws IOException {
            if (r.statusCode() != status) {
                throw new IOException(what + ": expected " + status + ", got " + r.statusCode() + " " + r.body());
            }
        }


        private static boolean curlInstalled() {
            try {
                return new ProcessBuilder("curl", "--version").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** Reads the file once and hashes every 1 MiB chunk with MD5 and SHA-512 on two threads, as the store does. */
        private static void hashCeiling(Path f) throws Exception {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
            byte[] buffer = new byte[1 << 20];
            try (InputStream in = Files.newInputStream(f)) {
                int n;
                while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                    int length = n;
                    Thread sha = Thread.ofPlatform().start(() -> sha512.update(buffer, 0, length));
                    md5.update(buffer, 0, n);
                    sha.join();
                }
            }
            md5.digest();
            sha512.digest();
        }

        private static void check(Path f, long size, String md5) throws Exception {
            if (Files.size(f) != size || !md5(f).equals(md5)) {
                throw new IOException("the downloaded file differs from the uploaded one: " + f);
            }
        }

        private static String md5(Path f) throws Exception {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            byte[] buffer = new byte[1 << 20];
            try (InputStream in = Files.newInputStream(f)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        }

        private static URI local(String url) {
            URI uri = URI.create(url.replaceAll("/+$", ""));
            if (!"127.0.0.1".equals(uri.getHost())) {
                throw new IllegalArgumentException("URLs must be on 127.0.0.1, not " + uri.getHost());
            }
            return uri;
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

    static void log(String format, Object... args) {
        System.err.println("bench: " + String.format(Locale.ROOT, format, args));
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ImageBench()).execute(args));
    }
}
