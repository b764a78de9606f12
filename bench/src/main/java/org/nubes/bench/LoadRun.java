package org.nubes.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load run: N virtual threads each send one request, wait for the answer, and send
 * the next, first for a warm-up (not measured), then for the measured duration. Every loop is
 * bounded by time and by a request count. Latencies are per request, from send to the end of the
 * answer; CPU use of the server, of this process and of the rest of the machine is measured over
 * the same window.
 */
public final class LoadRun {
    /** One request; throws when the answer is not the expected one (counted as an error). */
    @FunctionalInterface
    public interface Call {
        void call(int worker, long iteration) throws Exception;
    }

    /** How long and how wide; maxRequests bounds the whole run, warm-up included. */
    public record Options(int concurrency, Duration warmup, Duration duration, long maxRequests) {
        public Options {
            if (concurrency < 1 || duration.isNegative() || duration.isZero() || warmup.isNegative() || maxRequests < 1) {
                throw new IllegalArgumentException("bad load options: " + this);
            }
        }

        public Options withConcurrency(int n) {
            return new Options(n, warmup, duration, maxRequests);
        }
    }

    /** What one run measured. Latencies in milliseconds; CPU in cores (1.0 = one core busy all the time). */
    public record Result(String benchmark, String tool, int concurrency, long requests, long errors, double seconds,
                         double p50Ms, double p90Ms, double p99Ms, Proc.CpuUse cpu, String firstError) {
        public double requestsPerSecond() {
            return requests / seconds;
        }

        /** The columns of {@link #HEADERS}. */
        public List<String> cells() {
            return List.of(benchmark, tool, Integer.toString(concurrency), fmt("%.0f", requestsPerSecond()),
                    fmt("%.2f", p50Ms), fmt("%.2f", p99Ms), Long.toString(errors),
                    fmt("%.2f", cpu.serverCores()), fmt("%.2f", cpu.clientCores()), fmt("%.2f", cpu.otherCores()));
        }
    }

    public static final List<String> HEADERS = List.of("benchmark", "tool", "concurrency", "requests/s", "p50 ms",
            "p99 ms", "errors", "server CPU", "client CPU", "other CPU");

    private LoadRun() {}

    /**
     * Runs the load and returns what the measured window saw.
     *
     * @param tool what sends the requests, as the table names it
     * @param serverPid the server process whose CPU time to report, or 0
     */
    public static Result run(String benchmark, String tool, Options options, long serverPid, Call call) throws InterruptedException {
        int n = options.concurrency();
        long perWorker = Math.max(1, options.maxRequests() / n);
        long start = System.nanoTime();
        long measureFrom = start + options.warmup().toNanos();
        long end = measureFrom + options.duration().toNanos();
        Latencies[] latencies = new Latencies[n];
        long[] errors = new long[n];
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>(n);
        for (int w = 0; w < n; w++) {
            int worker = w;
            latencies[w] = new Latencies();
            workers.add(Thread.ofVirtual().name("load-" + benchmark + "-" + w).start(() -> {
                Latencies mine = latencies[worker];
                for (long i = 0; i < perWorker; i++) {
                    long sent = System.nanoTime();
                    if (sent - end >= 0) {
                        break;
                    }
                    boolean ok = true;
                    try {
                        call.call(worker, i);
                    } catch (Exception e) {
                        ok = false;
                        firstError.compareAndSet(null, e.toString());
                        if (e instanceof InterruptedException) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    if (sent - measureFrom >= 0) {
                        if (ok) {
                            mine.record(System.nanoTime() - sent);
                        } else {
                            errors[worker]++;
                        }
                    }
                }
            }));
        }
        sleepUntil(measureFrom);
        Proc.Snapshot before = Proc.Snapshot.take(serverPid, Proc.selfCpuSeconds());
        sleepUntil(end);
        Proc.Snapshot after = Proc.Snapshot.take(serverPid, Proc.selfCpuSeconds());
        for (Thread t : workers) {
            t.join();
        }
        Latencies all = new Latencies();
        long errorCount = 0;
        for (int w = 0; w < n; w++) {
            all.add(latencies[w]);
            errorCount += errors[w];
        }
        return new Result(benchmark, tool, n, all.count(), errorCount, options.duration().toNanos() / 1e9,
                all.percentileMillis(50), all.percentileMillis(90), all.percentileMillis(99), before.until(after), firstError.get());
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }

    static String fmt(String format, double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
    }
}
