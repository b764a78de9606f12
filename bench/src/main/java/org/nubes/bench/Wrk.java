package org.nubes.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the wrk HTTP load generator (C, epoll, one thread) against a server: a lean client for
 * when the JDK client is itself the bottleneck on a small machine. The requests are written into
 * a generated Lua script and sent round-robin, closed-loop, one connection per concurrency.
 */
public final class Wrk {
    /** One request to send and the status it must answer; path includes the query. */
    public record Request(String method, String path, Map<String, String> headers, String body, int status) {}

    private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|90|99)(?:\\.0+)?%\\s+([0-9.]+)(us|ms|s|m|h)\\s*$", Pattern.MULTILINE);
    private static final Pattern COUNT = Pattern.compile("^\\s*(\\d+) requests in ([0-9.]+)(us|ms|s|m|h)", Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern INIT_OK = Pattern.compile("^WRK-INIT-OK (\\d+)$", Pattern.MULTILINE);
    private static final Pattern BAD_STATUS = Pattern.compile("^WRK-BAD-STATUS .*$", Pattern.MULTILINE);
    private static final Pattern CHILD_STAT = Pattern.compile("^WRK-SHELL-STAT (.*)$", Pattern.MULTILINE);

    private Wrk() {}

    /** Whether a wrk binary is on the PATH. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A warm-up run (discarded), then the measured run. wrk counts whole seconds, so durations are
     * rounded up to a second.
     *
     * @param baseUrl e.g. http://127.0.0.1:5000
     * @param workDir where to write the Lua script
     */
    public static LoadRun.Result run(String benchmark, String baseUrl, List<Request> requests, LoadRun.Options options,
                                     long serverPid, Path workDir) throws IOException, InterruptedException {
        Path script = Files.createTempFile(workDir, "wrk-", ".lua");
        Path checking = Files.createTempFile(workDir, "wrk-check-", ".lua");
        try {
            Files.writeString(script, lua(requests, false));
            Files.writeString(checking, lua(requests, true));
            // the warm-up also checks every answer's status (which slows wrk down, so not measured)
            String warm = wrk(baseUrl, checking, options.concurrency(), options.warmup().isZero() ? Duration.ofSeconds(1) : options.warmup());
            Matcher bad = BAD_STATUS.matcher(warm);
            if (bad.find()) {
                throw new IOException("wrk: unexpected answer: " + bad.group());
            }
            Proc.Snapshot before = Proc.Snapshot.take(serverPid, 0);
            String out = wrk(baseUrl, script, options.concurrency(), options.duration());
            Proc.Snapshot afterNoClient = Proc.Snapshot.take(serverPid, 0);
            Matcher stat = CHILD_STAT.matcher(out);
            double clientSeconds = stat.find() ? Proc.childrenCpuSeconds(stat.group(1)) : 0;
            Proc.Snapshot after = new Proc.Snapshot(afterNoClient.nanos(), afterNoClient.server(), clientSeconds,
                    afterNoClient.machine());
            return parse(benchmark, options.concurrency(), out, before.until(after));
        } finally {
            Files.deleteIfExists(script);
            Files.deleteIfExists(checking);
        }
    }

    private static String wrk(String baseUrl, Path script, int connections, Duration duration)
            throws IOException, InterruptedException {
        long seconds = Math.max(1, (duration.toMillis() + 999) / 1000);
        List<String> command = new ArrayList<>(List.of("sh", "-c",
                // the shell's cutime/cstime, once wrk was waited for, is wrk's CPU time
                "\"$@\"; rc=$?; read -r s < /proc/$$/stat; echo \"WRK-SHELL-STAT $s\"; exit $rc", "sh",
                "wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--timeout", "30s", "--latency",
                "-s", script.toString(), baseUrl));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out;
        try {
            out = p.getInputStream().readAllBytes();
            if (!p.waitFor(seconds + 60, TimeUnit.SECONDS)) {
                throw new IOException("wrk did not end");
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        String text = new String(out, StandardCharsets.UTF_8);
        Matcher init = INIT_OK.matcher(text);
        // wrk goes on with a plain GET when the script fails: refuse such a run
        if (p.exitValue() != 0 || !init.find() || Integer.parseInt(init.group(1)) == 0) {
            throw new IOException("wrk failed (exit " + p.exitValue() + "): " + text);
        }
        return text;
    }

    static LoadRun.Result parse(String benchmark, int concurrency, String out, Proc.CpuUse cpu) throws IOException {
        Matcher count = COUNT.matcher(out);
        if (!count.find()) {
            throw new IOException("cannot read wrk's output: " + out);
        }
        long requests = Long.parseLong(count.group(1));
        double seconds = millis(count.group(2), count.group(3)) / 1000;
        double p50 = Double.NaN;
        double p90 = Double.NaN;
        double p99 = Double.NaN;
        Matcher m = PERCENTILE.matcher(out);
        while (m.find()) {
            double ms = millis(m.group(2), m.group(3));
            if (m.group(1).equals("50")) {
                p50 = ms;
            } else if (m.group(1).equals("90")) {
                p90 = ms;
            } else {
                p99 = ms;
            }
        }
        long errors = 0;
        String firstError = null;
        Matcher bad = NON_2XX.matcher(out);
        if (bad.find()) {
            errors += Long.parseLong(bad.group(1));
            firstError = bad.group();
        }
        Matcher socket = SOCKET_ERRORS.matcher(out);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
            firstError = firstError == null ? socket.group() : firstError + "; " + socket.group();
        }
        return new LoadRun.Result(benchmark, "wrk", concurrency, requests - errors, errors, seconds, p50, p90, p99, cpu,
                firstError);
    }

    private static double millis(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            default -> v * 3_600_000;
        };
    }

    /**
     * A script that formats every request once per thread, then sends them round-robin; checking,
     * it also compares each answer's status with the expected one and reports the first mismatch.
     */
    static String lua(List<Request> requests, boolean checking) {
        StringBuilder lua = new StringBuilder("local reqs, want, n, i, bad = {}, {}, 0, 0, false\nfunction init(args)\n");
        for (Request r : requests) {
            lua.append("  reqs[#reqs + 1] = wrk.format(").append(literal(r.method())).append(", ")
                    .append(literal(r.path())).append(", {");
            r.headers().forEach((k, v) -> lua.append("[ ").append(literal(k)).append(" ] = ").append(literal(v)).append(", "));
            lua.append("}, ").append(r.body() == null ? "nil" : literal(r.body())).append(")\n");
            lua.append("  want[#want + 1] = ").append(r.status()).append("\n");
        }
        lua.append("""
                  n = #reqs
                  io.write("WRK-INIT-OK " .. n .. "\\n")
                end
                function request()
                  i = i % n + 1
                  return reqs[i]
                end
                """);
        if (checking) {
            // answers come back in the order sent on each connection, but with several connections
            // per thread the order is lost: accept any status the script's requests expect
            lua.append("""
                    function response(status, headers, body)
                      for _, w in ipairs(want) do if w == status then return end end
                      if not bad then
                        bad = true
                        io.write("WRK-BAD-STATUS " .. status .. " " .. string.sub(body or "", 1, 300):gsub("\\n", " ") .. "\\n")
                      end
                    end
                    """);
        }
        return lua.toString();
    }

    /** A Lua long-bracket string, with a level no closing bracket inside it matches. */
    private static String literal(String s) {
        String eq = "=";
        while (s.contains("]" + eq + "]")) {
            eq += "=";
        }
        // a newline right after the opening bracket would be dropped by Lua: keep content verbatim
        return "[" + eq + "[" + (s.startsWith("\n") ? "\n" : "") + s + "]" + eq + "]";
    }
}
