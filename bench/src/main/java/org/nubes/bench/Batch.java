package org.nubes.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed number of calls, each index once, by up to `concurrency` virtual threads taking the next
 * index as soon as their previous call returned (unlike {@link LoadRun}, bounded by count, not
 * time). Latency is from the call to its return; a call that throws is an error.
 */
record Batch(Latencies latencies, long errors, double seconds, Proc.CpuUse cpu, String firstError) {
    @FunctionalInterface
    interface Step {
        void call(int index) throws Exception;
    }

    double perSecond() {
        return (latencies.count() + errors) / seconds;
    }

    String firstErrorSuffix() {
        return firstError == null ? "" : " (first: " + firstError + ")";
    }

    /** The row of a request batch: count, errors, per second, p50/p90/p99/max ms, server/client/other CPU. */
    List<String> cells(String name) {
        return List.of(name, Long.toString(latencies.count() + errors), Long.toString(errors), Fmt.num("%.0f", perSecond()),
                Fmt.ms(latencies.percentileMillis(50)), Fmt.ms(latencies.percentileMillis(90)), Fmt.ms(latencies.percentileMillis(99)),
                Fmt.ms(latencies.maxMillis()), Fmt.num("%.2f", cpu.serverCores()), Fmt.num("%.2f", cpu.clientCores()),
                Fmt.num("%.2f", cpu.otherCores()));
    }

    /**
     * Runs the batch; threads are named threadPrefix-what-N. With progressEvery, logs "what done/total"
     * (both plus progressBase) at every multiple of it.
     */
    static Batch run(String threadPrefix, String what, int count, int concurrency, long serverPid, Step step, int progressEvery,
            int progressBase) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        int n = Math.min(concurrency, Math.max(1, count));
        Latencies[] latencies = new Latencies[n];
        long[] errors = new long[n];
        List<Thread> workers = new ArrayList<>(n);
        Proc.Snapshot before = Proc.Snapshot.take(serverPid, Proc.selfCpuSeconds());
        long start = System.nanoTime();
        for (int w = 0; w < n; w++) {
            int worker = w;
            latencies[w] = new Latencies();
            workers.add(Thread.ofVirtual().name(threadPrefix + "-" + what + "-" + w).start(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    long t = System.nanoTime();
                    try {
                        step.call(i);
                        latencies[worker].record(System.nanoTime() - t);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        errors[worker]++;
                        firstError.compareAndSet(null, e.toString().replace('\n', ' '));
                    }
                    int d = done.incrementAndGet();
                    if (progressEvery > 0 && (progressBase + d) % progressEvery == 0) {
                        Fmt.log("%s %d/%d", what, progressBase + d, progressBase + count);
                    }
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Proc.CpuUse cpu = before.until(Proc.Snapshot.take(serverPid, Proc.selfCpuSeconds()));
        Latencies all = new Latencies();
        long errorCount = 0;
        for (int w = 0; w < n; w++) {
            all.add(latencies[w]);
            errorCount += errors[w];
        }
        return new Batch(all, errorCount, seconds, cpu, firstError.get());
    }
}
