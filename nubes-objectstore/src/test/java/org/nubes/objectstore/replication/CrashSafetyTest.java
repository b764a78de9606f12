package org.nubes.objectstore.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during a PUT: the object store runs in a child JVM, a large upload is cut off by killing
 * the process, and a new process on the same database and devices neither lists nor serves the
 * object, and removes the dead upload's temporary files at start.
 */
class CrashSafetyTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String ACCOUNT = "/v1/AUTH_" + CrashChild.PROJECT;

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    private record Child(Process process, int port) {}

    private Child start(String name) throws Exception {
        Path log = dir.resolve(name + ".log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), dir.resolve("devices").toString(), dir.resolve("db").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        children.add(process);
        // Waits for the port line (no time limit asserted: only the child dying ends the wait early).
        while (true) {
            Optional<String> port = Files.readAllLines(log).stream().filter(l -> l.startsWith("PORT ")).findFirst();
            if (port.isPresent()) {
                return new Child(process, Integer.parseInt(port.get().substring(5).strip()));
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("child exited: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    private static HttpResponse<byte[]> send(Child child, String method, String path, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + child.port() + ACCOUNT + path))
                .header("X-Auth-Token", CrashChild.TOKEN).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private List<Path> files(String ending) throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("devices"))) {
            return files.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(ending)).toList();
        }
    }

    private long tempBytes() throws IOException {
        long total = 0;
        for (Path file : files(".tmp")) {
            try {
                total += Files.size(file);
            } catch (IOException e) {
                // renamed or removed meanwhile
            }
        }
        return total;
    }

    @Test
    void killDuringAPutLeavesNoObject() throws Exception {
        try {
            Child first = start("first");
            assertThat(send(first, "PUT", "/c", new byte[0]).statusCode()).isEqualTo(201);
            byte[] kept = "committed before the crash".getBytes(StandardCharsets.UTF_8);
            assertThat(send(first, "PUT", "/c/kept", kept).statusCode()).isEqualTo(201);

            // A 64 MiB PUT of which 8 MiB are sent; the process dies while it waits for the rest.
            long length = 64L << 20;
            byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte) 'x');
            try (Socket socket = new Socket("127.0.0.1", first.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("PUT " + ACCOUNT + "/c/partial HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: " + CrashChild.TOKEN
                        + "\r\nContent-Length: " + length + "\r\nContent-Type: application/octet-stream\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 8; i++) {
                    out.write(chunk);
                }
                out.flush();
                // Until the replicas' temporary files hold part of the body: the upload is under way.
                while (tempBytes() < (1 << 20)) {
                    assertThat(first.process().isAlive()).isTrue();
                    Thread.sleep(20);
                }
                first.process().destroyForcibly();
                first.process().waitFor();
            }
            assertThat(files(".tmp")).isNotEmpty();  // what the killed upload left

            Child second = start("second");
            assertThat(send(second, "GET", "/c/partial", null).statusCode()).isEqualTo(404);
            assertThat(send(second, "HEAD", "/c/partial", null).statusCode()).isEqualTo(404);
            String listing = new String(send(second, "GET", "/c", null).body(), StandardCharsets.UTF_8);
            assertThat(listing.lines().toList()).containsExactly("kept");
            HttpResponse<byte[]> container = send(second, "HEAD", "/c", null);
            assertThat(container.headers().firstValue("X-Container-Object-Count")).hasValue("1");
            assertThat(send(second, "GET", "/c/kept", null).body()).isEqualTo(kept);
            // The dead upload's temporary files are gone, and none became an object file.
            assertThat(files(".tmp")).isEmpty();
            assertThat(files(".data")).hasSize(3);
            second.process().destroyForcibly();
            second.process().waitFor();
        } finally {
            for (Process child : children) {
                child.destroyForcibly();
                child.waitFor();
            }
        }
    }
}
