package org.nubes.compute.driver.container;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new DriverException(command.getFirst() + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new DriverException("cannot read the output of " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DriverException("interrupted while running " + command.getFirst(), e);
        }
    }

    /** Runs a command and fails with its output when it exits with an error. */
    static String check(List<String> command) throws DriverException {
        Result result = run(command);
        if (!result.ok()) {
            // Name the program, not the nsenter that runs it in the rootless namespace.
            List<String> program = command.getFirst().equals("nsenter")
                    ? command.subList(command.indexOf("--preserve-credentials") + 1, command.size()) : command;
            throw new DriverException(String.join(" ", program.subList(0, Math.min(2, program.size())))
                    + " failed: " + result.output());
        }
        return result.output();
    }

    static Process start(ProcessBuilder builder, List<String> command) throws DriverException {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new DriverException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        }
    }
}
