package org.nubes.server;

import java.nio.file.Path;

/** Points the log files at the data directory; must run before the first logger is made. */
final class Logging {
    private Logging() {}

    static void configure(Path dataDir) {
        System.setProperty("nubes.log.dir", dataDir.toAbsolutePath().resolve("log").toString());
    }
}
