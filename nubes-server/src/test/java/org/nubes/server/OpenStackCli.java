package org.nubes.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.nubes.core.json.Json;

/** Runs the real `openstack` command (python-openstackclient) against a cloud under test. */
final class OpenStackCli {
    record Result(int exit, String out, String err) {
        JsonNode json() {
            return Json.parse(out.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final Path cloudsYaml;
    private final String cloud;

    OpenStackCli(Path cloudsYaml, String cloud) {
        this.cloudsYaml = cloudsYaml;
        this.cloud = cloud;
    }

    /** Whether the CLI is installed; CI installs it (python3-openstackclient), so there it must be. */
    static boolean installed() {
        try {
            return new ProcessBuilder("openstack", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    OpenStackCli as(String otherCloud) {
        return new OpenStackCli(cloudsYaml, otherCloud);
    }

    Result run(String... args) {
        List<String> command = new ArrayList<>(List.of("openstack", "--os-cloud", cloud));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("openstack", ".out");
            Path err = Files.createTempFile("openstack", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("OS_"));
            env.put("OS_CLIENT_CONFIG_FILE", cloudsYaml.toString());
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("openstack " + String.join(" ", args) + " did not finish in 120 s");
            }
            Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command that must succeed and prints JSON (-f json is added). */
    JsonNode json(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", "json"));
        Result r = run(all.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new AssertionError("openstack " + String.join(" ", args) + " failed (" + r.exit() + "): " + r.err());
        }
        return r.json();
    }

    /** Runs a command that must succeed. */
    String ok(String... args) {
        Result r = run(args);
        if (r.exit() != 0) {
            throw new AssertionError("openstack " + String.join(" ", args) + " failed (" + r.exit() + "): " + r.err());
        }
        return r.out();
    }
}
