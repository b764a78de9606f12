package org.nubes.compute.driver.container;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.nubes.compute.driver.DriverException;

/** Runs the short host commands the driver needs (crun, mount, umount, tar) and fails with their message. */
final class Exec {
    /** How long a short command may take before we give up on it. */
    private static final long TIMEOUT_SECONDS = 60;

    private Exec() {}

    /** The exit code and everything the command printed (stdout and stderr together). */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * Runs a command that prints little and leaves no process behind. Its output comes through a
     * pipe, which is safe only because such commands close it when they exit (crun run -d does not:
     * see {@link ContainerDriver} for how it is started).
     */
    static Result run(List<String> command) throws DriverException {
        Process process = start(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))), command);
        // Read on a thread of its own, so that the timeout holds for a command that never ends or never closes its output.
        FutureTask<byte[]> output = new FutureTask<>(() -> process.getInputStream().readAllBytes());
        Thread.ofVirtual().start(output);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        try {
            if (process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                // A process it left behind may hold the output open: that too is not finishing.
                byte[] printed = output.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return new Result(process.exitValue(), new String(printed, StandardCharsets.UTF_8).strip());
            }
        } catch (TimeoutException e) {
            // handled below
        } catch (ExecutionException e) {
            throw new DriverException("cannot read the output of " + command.getFirst() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DriverException("interrupted while running " + command.getFirst(), e);
        }
        process.destroyForcibly();
        throw new DriverException(command.getFirst() + " did not finish in " + TIMEOUT_SECONDS + " s");
    }

    /** Runs a command and fails with its output when it exits with an error. */
    static String check(List<String> command) throws DriverException {
        return check(name(command), command);
    }

    /** Runs a command and fails with its output when it exits with an error, naming it as given (not as nsenter). */
    static String check(String name, List<String> command) throws DriverException {
        Result result = run(command);
        if (!result.ok()) {
            throw new DriverException(name + " failed: " + result.output());
        }
        return result.output();
    }

    /** What errors call a command: its first two words ("crun pause", "umount -l"). */
    static String name(List<String> command) {
        return String.join(" ", command.subList(0, Math.min(2, command.size())));
    }

    static Process start(ProcessBuilder builder, List<String> command) throws DriverException {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new DriverException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        }
    }
}
