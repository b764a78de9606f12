package org.nubes.server;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.nubes.core.config.Config;
import org.nubes.core.config.ConfigException;
import org.nubes.identity.IdentityConfig;
import org.nubes.identity.token.FernetKeyRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The nubes command. */
@Command(name = "nubes", mixinStandardHelpOptions = true, version = "nubes 0.1.0",
        description = "An OpenStack-compatible cloud in one process.",
        subcommands = {Nubes.Up.class, Nubes.Keys.class})
public final class Nubes {

    /** Options every subcommand shares: where the configuration and the state are. */
    static class Common {
        @Option(names = "--data-dir", description = "State directory (default: data_dir setting, ./var).")
        Path dataDir;

        @Option(names = "--config", description = "Configuration file (default: nubes.yaml in the current directory).")
        Path config;

        Config load() {
            Map<String, String> overrides = new HashMap<>();
            if (dataDir != null) {
                overrides.put("data_dir", dataDir.toString());
            }
            Path file = config != null ? config : Path.of("nubes.yaml");
            return Config.load(file, System.getenv(), overrides);
        }
    }

    @Command(name = "up", description = "Start every service with embedded defaults; Ctrl-C stops.")
    static final class Up extends Common implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            long startNanos = System.nanoTime();
            Config config = load();
            Logging.configure(config.path("data_dir"));
            Launcher.Started started = Launcher.up(config);
            Cloud cloud = started.cloud();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("nubes: stopping");
                cloud.close();
                stopped.countDown();
            }, "nubes-shutdown"));
            Welcome.print(cloud, started.adminPassword(), (System.nanoTime() - startNanos) / 1_000_000);
            stopped.await();
            return 0;
        }
    }

    @Command(name = "keys", description = "Manage token keys.", subcommands = {Keys.Rotate.class})
    static final class Keys {
        @Command(name = "rotate", description = "Rotate the Fernet token keys (the staged key becomes primary).")
        static final class Rotate extends Common implements Callable<Integer> {
            @Override
            public Integer call() {
                IdentityConfig identity = IdentityConfig.from(load());
                FernetKeyRepository keys = new FernetKeyRepository(identity.fernetKeys(), identity.maxActiveKeys());
                keys.initialize();
                keys.rotate();
                System.out.println("nubes: rotated the token keys in " + identity.fernetKeys()
                        + "; tokens signed with the oldest removed key are no longer valid.");
                return 0;
            }
        }
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Nubes());
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof ConfigException) {
                System.err.println("nubes: configuration error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        int code = cli.execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
