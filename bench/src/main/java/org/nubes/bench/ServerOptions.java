package org.nubes.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every benchmark's run command takes about the server its wrapper started. */
final class ServerOptions {
    @Option(names = "--identity-url", required = true, description = "Identity base URL; must be on 127.0.0.1.")
    String identityUrl;

    @Option(names = "--clouds", required = true, description = "clouds.yaml with the admin password.")
    Path clouds;

    @Option(names = "--server-pid", description = "PID of the server, for its CPU time and RSS (0: unknown).")
    long serverPid;

    @Option(names = "--results", required = true, description = "File the results are appended to.")
    Path results;
}
