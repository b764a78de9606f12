package org.nubes.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What Linux's /proc says about CPU time and memory; 0 where the process is gone. */
public final class Proc {
    /** USER_HZ: the unit of the CPU times in /proc/PID/stat and /proc/stat on Linux. */
    public static final double TICKS_PER_SECOND = 100.0;

    private Proc() {}

    /** CPU time (user + system) of a process in seconds, or 0 when it cannot be read. */
    public static double cpuSeconds(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String[] f = statFields(Files.readString(Path.of("/proc/" + pid + "/stat")));
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * CPU time its waited-for children used (cutime + cstime) in seconds, from a /proc/PID/stat
     * line.
     */
    public static double childrenCpuSeconds(String statLine) {
        String[] f = statFields(statLine);
        return (Long.parseLong(f[15]) + Long.parseLong(f[16])) / TICKS_PER_SECOND;
    }

    /** CPU time of this JVM (all its threads, GC included) in seconds. */
    public static double selfCpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return 0;
    }

    /** Busy CPU time of the whole machine (all cores, every process) in seconds. */
    public static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            // user + nice + system + irq + softirq; guest time is already inside user and nice
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7}) {
                busy += Long.parseLong(f[i]);
            }
            return busy / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** A size field of /proc/PID/status (VmRSS, VmHWM, ...) in kB, or -1. */
    public static long statusKb(long pid, String field) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
            for (String line : lines) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** The fields of a stat line, numbered from 0, with the command name (which may hold spaces) as one field. */
    private static String[] statFields(String stat) {
        int close = stat.lastIndexOf(')');
        String[] rest = stat.substring(close + 2).trim().split("\\s+");
        String[] f = new String[rest.length + 2];
        f[0] = stat.substring(0, stat.indexOf(' '));
        f[1] = stat.substring(stat.indexOf('('), close + 1);
        System.arraycopy(rest, 0, f, 2, rest.length);
        return f;
    }

    /**
     * Waits until the rest of the machine (everything but the server and this process) used less
     * than maxOtherCores over a one-second sample, or until maxWait passed.
     *
     * @return the rest's CPU use in the last sample, in cores
     */
    public static double awaitQuiet(long serverPid, double maxOtherCores, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        double other;
        do {
            Snapshot before = Snapshot.take(serverPid, selfCpuSeconds());
            Thread.sleep(1_000);
            other = before.until(Snapshot.take(serverPid, selfCpuSeconds())).otherCores();
        } while (other >= maxOtherCores && System.nanoTime() - deadline < 0);
        return other;
    }

    /** CPU use over an interval, in cores: the server, the load generator, and everything else on the machine. */
    public record CpuUse(double serverCores, double clientCores, double otherCores) {}

    /** A snapshot to measure CPU use from. */
    public record Snapshot(long nanos, double server, double client, double machine) {
        public static Snapshot take(long serverPid, double clientSeconds) {
            return new Snapshot(System.nanoTime(), cpuSeconds(serverPid), clientSeconds, machineBusySeconds());
        }

        public CpuUse until(Snapshot end) {
            double seconds = (end.nanos - nanos) / 1e9;
            double server = (end.server - this.server) / seconds;
            double client = (end.client - this.client) / seconds;
            double machine = (end.machine - this.machine) / seconds;
            return new CpuUse(server, client, Math.max(0, machine - server - client));
        }
    }

    /** Runs the command and returns its output (stdout and stderr); throws unless it exits 0. */
    public static String run(String... command) throws java.io.IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int exit = p.waitFor();
        if (exit != 0) {
            throw new java.io.IOException(command[0] + " failed (" + exit + "): " + out.strip());
        }
        return out;
    }
}
