package org.nubes.network.driver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one short command (ip, nft, sysctl, nsenter) with an optional script on its standard input. Standard
 * input, output and error each have their own virtual thread, so a command that writes a lot, or exits
 * without reading its input, never blocks us on a full pipe.
 */
final class Command {
    private static final long TIMEOUT_SECONDS = 30;

    private Command() {}

    /** What the command printed, and how it ended. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** Whether the command failed because what it should make is already there. */
        boolean exists() {
            return !ok() && stderr.contains("File exists");
        }

        /** Whether the command failed because what it should change is not there. */
        boolean missing() {
            return !ok() && Stream.of("Cannot find device", "No such file", "does not exist", "Address not found",
                    "Cannot assign requested address").anyMatch(stderr::contains);
        }

        String orThrow() throws NetworkDriverException {
            if (!ok()) {
                throw new NetworkDriverException(String.join(" ", command) + " failed (exit " + exitCode + "): "
                        + stderr.strip());
            }
            return stdout;
        }
    }

    static String check(List<String> command, String stdin) throws NetworkDriverException {
        return run(command, stdin).orThrow();
    }

    static Result run(List<String> command, String stdin) throws NetworkDriverException {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new NetworkDriverException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        }
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            threads.submit(() -> feed(process.getOutputStream(), stdin));
            Future<String> stdout = threads.submit(() -> drain(process.getInputStream()));
            Future<String> stderr = threads.submit(() -> drain(process.getErrorStream()));
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new NetworkDriverException(String.join(" ", command) + " did not finish in "
                        + TIMEOUT_SECONDS + " s");
            }
            return new Result(command, process.exitValue(), stdout.get(), stderr.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new NetworkDriverException("interrupted while running " + command.getFirst(), e);
        } catch (ExecutionException e) {
            throw new NetworkDriverException("cannot read what " + command.getFirst() + " printed", e.getCause());
        }
    }

    private static Void feed(OutputStream in, String stdin) {
        try (in) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The command exited without reading all of it; its exit code says whether that was wrong.
        }
        return null;
    }

    private static String drain(InputStream out) throws IOException {
        try (out) {
            return new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
