package org.nubes.compute.driver.container;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.nubes.compute.driver.DriverException;
import org.nubes.core.host.Host;
import org.nubes.core.json.Json;

/**
 * Nova's metadata service for one container server: {@code http://169.254.169.254/} answers from
 * inside the server's network namespace with the OpenStack tree ({@code openstack/latest/
 * meta_data.json}, {@code user_data}) and the EC2 tree ({@code latest/meta-data/...},
 * {@code latest/user-data}).
 *
 * <p>The answers are files in {@code metadata/} of the server dir, written from the config drive at
 * spawn: the same facts, served instead of mounted. A directory's listing is its
 * {@code index.html}, as EC2 lists keys. They are served by busybox's httpd, run by the host in the
 * server's network namespace only (its files stay the host's, outside the container) on the
 * address 169.254.169.254, which it adds to the namespace's loopback. It runs in a session of its
 * own, so it outlives a restart of Nubes as the server does; its pid is in {@code metadata.pid}.
 */
final class MetadataServer {
    static final String ADDRESS = "169.254.169.254";

    private MetadataServer() {}

    /** Why the metadata service cannot run (busybox with httpd, ip, nsenter are needed), or empty. */
    static Optional<String> unavailableReason() {
        return Host.missing("busybox", "ip", "nsenter", "setsid");
    }

    /** Writes the answers of the server's metadata service from its config drive. */
    static void write(Path metadataDir, Path configDrive) throws DriverException {
        try {
            Path latest = configDrive.resolve("openstack/latest");
            byte[] metaData = Files.readAllBytes(latest.resolve("meta_data.json"));
            Path userDataFile = latest.resolve("user_data");
            byte[] userData = Files.exists(userDataFile) ? Files.readAllBytes(userDataFile) : null;

            Path openstack = metadataDir.resolve("openstack/latest");
            Files.createDirectories(openstack);
            Files.write(openstack.resolve("meta_data.json"), metaData);
            List<String> openstackKeys = new ArrayList<>(List.of("meta_data.json"));
            if (userData != null) {
                Files.write(openstack.resolve("user_data"), userData);
                openstackKeys.add("user_data");
            }
            index(openstack, openstackKeys);
            index(metadataDir.resolve("openstack"), List.of("latest"));

            JsonNode meta = Json.parse(metaData);
            Map<String, String> ec2 = new TreeMap<>();
            ec2.put("instance-id", meta.path("uuid").asText());
            ec2.put("hostname", meta.path("hostname").asText());
            ec2.put("local-hostname", meta.path("hostname").asText());
            ec2.put("placement/availability-zone", meta.path("availability_zone").asText());
            String key = meta.path("public_keys").path("key").asText("");
            if (!key.isEmpty()) {
                ec2.put("public-keys/0/openssh-key", key);
            }
            Path ec2Root = metadataDir.resolve("latest");
            Path ec2Meta = ec2Root.resolve("meta-data");
            for (Map.Entry<String, String> entry : ec2.entrySet()) {
                Path file = ec2Meta.resolve(entry.getKey());
                Files.createDirectories(file.getParent());
                Files.writeString(file, entry.getValue());
            }
            List<String> ec2MetaKeys = new ArrayList<>(List.of("hostname", "instance-id", "local-hostname", "placement/"));
            if (!key.isEmpty()) {
                ec2MetaKeys.add("public-keys/");
            }
            index(ec2Meta, ec2MetaKeys);
            index(ec2Meta.resolve("placement"), List.of("availability-zone"));
            if (!key.isEmpty()) {
                index(ec2Meta.resolve("public-keys"), List.of("0=key"));
                index(ec2Meta.resolve("public-keys/0"), List.of("openssh-key"));
            }
            List<String> ec2Keys = new ArrayList<>(List.of("meta-data/"));
            if (userData != null) {
                Files.write(ec2Root.resolve("user-data"), userData);
                ec2Keys.add("user-data");
            }
            index(ec2Root, ec2Keys);
            index(metadataDir, List.of("latest", "openstack/"));
        } catch (IOException | RuntimeException e) {
            throw new DriverException("cannot write the metadata service's answers: " + e, e);
        }
    }

    private static void index(Path dir, List<String> keys) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("index.html"), String.join("\n", keys), StandardCharsets.UTF_8);
    }

    /**
     * Starts the service in the network namespace of the process pid (the server's init), unless
     * the one recorded in pidFile still runs. command wraps what needs privileges.
     */
    static void start(long pid, Path metadataDir, Path pidFile, Privileges privileges) throws DriverException {
        if (running(pidFile)) {
            return;
        }
        String script = "ip link set lo up && ip addr replace " + ADDRESS + "/32 dev lo && exec busybox httpd -f -p "
                + ADDRESS + ":80 -h \"$0\"";
        List<String> command = privileges.command(List.of("setsid", "nsenter", "--net=/proc/" + pid + "/ns/net",
                "sh", "-c", script, metadataDir.toString()));
        Process httpd = Exec.start(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))), command);
        try {
            Files.writeString(pidFile, Long.toString(httpd.pid()));
        } catch (IOException e) {
            httpd.destroyForcibly();
            throw new DriverException("cannot record the metadata service: " + e.getMessage(), e);
        }
    }

    /** Ends the server's metadata service, if it runs. */
    static void stop(Path pidFile) {
        if (Files.exists(pidFile)) {
            try {
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                ProcessHandle.of(pid).filter(p -> isOurs(p, pidFile)).ifPresent(ProcessHandle::destroyForcibly);
            } catch (IOException | NumberFormatException e) {
                // nothing recorded that could still run
            }
            ContainerDriver.deleteQuietly(pidFile);
        }
    }

    private static boolean running(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> isOurs(p, pidFile)).isPresent();
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** The recorded pid may have been reused after a reboot: only our httpd of this server is ours. */
    private static boolean isOurs(ProcessHandle process, Path pidFile) {
        try {
            String cmdline = Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
            return cmdline.contains("httpd") && cmdline.contains(pidFile.getParent().toString());
        } catch (IOException e) {
            return false;
        }
    }
}
