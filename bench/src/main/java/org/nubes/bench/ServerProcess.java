package org.nubes.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server this benchmark started itself (e.g. {@code ./nubes up}), its output in a file, stopped
 * with SIGTERM to its own PID on close (SIGKILL only if it does not end within the grace time).
 */
public final class ServerProcess implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final Process process;
    private final long startNanos;
    private final Path log;

    private ServerProcess(Process process, long startNanos, Path log) {
        this.process = process;
        this.startNanos = startNanos;
        this.log = log;
    }

    /** Starts the command in cwd with these environment variables added; stdout and stderr go to log. */
    public static ServerProcess start(List<String> command, Path cwd, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        long start = System.nanoTime();
        return new ServerProcess(builder.start(), start, log);
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Waits until GET path on 127.0.0.1:port answers 200, probing every few milliseconds with a
     * fresh connection, and returns the time since the process was launched.
     *
     * @throws IOException if the process ends first or the timeout passes
     */
    public Duration awaitReady(int port, String path, Duration timeout) throws IOException, InterruptedException {
        long deadline = startNanos + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (probe(port, path) == 200) {
                return Duration.ofNanos(System.nanoTime() - startNanos);
            }
            if (!process.isAlive()) {
                throw new IOException("the server ended (exit " + process.exitValue() + ") before it answered:\n" + output());
            }
            Thread.sleep(5);
        }
        throw new IOException("the server did not answer GET " + path + " on port " + port + " within " + timeout + ":\n" + output());
    }

    /** The HTTP status of GET path, or -1 when nothing answers yet. */
    public static int probe(int port, String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = new byte[12];
            int n = 0;
            while (n < head.length) {
                int r = in.read(head, n, head.length - n);
                if (r < 0) {
                    return -1;
                }
                n += r;
            }
            String status = new String(head, StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/1.") ? Integer.parseInt(status.substring(9, 12)) : -1;
        } catch (ConnectException e) {
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** What the process printed so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM to the PID, then wait; SIGKILL after the grace time. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
