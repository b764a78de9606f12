package org.nubes.objectstore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nubes.core.http.CatalogEntry;
import org.nubes.core.testing.Prerequisites;

/**
 * The real swift CLI (python3-swiftclient) against an object store test server, logged in with
 * Keystone v3 as the member of one new project. The catalog names the account with Keystone's
 * template, AUTH_$(project_id)s, as a deployed cloud does.
 */
final class SwiftCli implements AutoCloseable {
    private static final Path SWIFT = Path.of("/usr/bin/swift");

    record Result(int exit, String out, String err) {}

    private final ObjectStoreTestServer server;
    private final String project;
    private final Duration timeout;

    private SwiftCli(ObjectStoreTestServer server, String project, Duration timeout) {
        this.server = server;
        this.project = project;
        this.timeout = timeout;
    }

    /** A server with a project of that name; the test is skipped where the CLI is missing. */
    static SwiftCli start(String project, Duration timeout) {
        Prerequisites.require(Files.isExecutable(SWIFT) && keystoneClientInstalled(),
                "the swift CLI with Keystone v3 support (python3-swiftclient, python3-keystoneclient) is not installed");
        ObjectStoreTestServer server = new ObjectStoreTestServer();
        server.project(project, "member");
        server.identity().identity().bootstrap(List.of(
                new CatalogEntry("identity", "keystone", server.identity().url()),
                new CatalogEntry("object-store", "swift", server.url() + "/v1/AUTH_$(project_id)s")));
        return new SwiftCli(server, project, timeout);
    }

    /** swiftclient needs python-keystoneclient for Keystone v3 authentication. */
    private static boolean keystoneClientInstalled() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import keystoneclient.v3, keystoneauth1")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    ObjectStoreTestServer server() {
        return server;
    }

    /** Runs swift in workDir (its output goes to files there, never through a pipe). */
    Result run(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SWIFT.toString(),
                "--os-auth-url", server.identity().url() + "/v3", "--auth-version", "3",
                "--os-username", project + "-user", "--os-password", "pw-" + project, "--os-project-name", project,
                "--os-user-domain-id", "default", "--os-project-domain-id", "default"));
        command.addAll(List.of(args));
        return run(workDir, command, "swift " + String.join(" ", args));
    }

    /**
     * Runs a Python script with python-swiftclient's library, for what the swift command has no
     * option for. The script finds a connected {@code swiftclient.client.Connection} as {@code conn}
     * and its arguments in {@code args}.
     */
    Result python(Path workDir, String script, String... args) throws IOException, InterruptedException {
        String prelude = """
                import sys
                from swiftclient import client
                conn = client.Connection(authurl=sys.argv[1], user=sys.argv[2], key=sys.argv[3], auth_version='3',
                    os_options={'project_name': sys.argv[4], 'user_domain_id': 'default', 'project_domain_id': 'default'})
                args = sys.argv[5:]
                """;
        Files.writeString(workDir.resolve("script.py"), prelude + script);
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "script.py",
                server.identity().url() + "/v3", project + "-user", "pw-" + project, project));
        command.addAll(List.of(args));
        return run(workDir, command, "python3 script.py");
    }

    private Result run(Path workDir, List<String> command, String what) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(workDir.resolve("out.txt").toFile()).redirectError(workDir.resolve("err.txt").toFile()).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(what + " did not finish in " + timeout);
        }
        return new Result(process.exitValue(), Files.readString(workDir.resolve("out.txt")), Files.readString(workDir.resolve("err.txt")));
    }

    @Override
    public void close() {
        server.close();
    }
}
