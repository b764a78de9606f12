package org.nubes.objectstore.replication;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.TokenValidator;
import org.nubes.core.config.DatabaseConfig;
import org.nubes.core.db.Database;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.HttpService;
import org.nubes.objectstore.ObjectStoreConfig;
import org.nubes.objectstore.ObjectStoreService;

/**
 * The object store in a process of its own for {@link CrashSafetyTest}: a file H2 database and
 * devices in the given directories, one fixed token for one project, and "PORT n" on stdout once
 * it listens. It runs until it is killed.
 *
 * <p>Arguments: devices directory, database directory.
 */
public final class CrashChild {
    static final String TOKEN = "crash-test-token";
    static final String PROJECT = "crashproject";

    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        Path devices = Path.of(args[0]);
        Path db = Path.of(args[1]);
        TokenValidator tokens = token -> {
            if (!TOKEN.equals(token)) {
                throw ApiException.unauthorized("The request you have made requires authentication.");
            }
            AuthContext.Named domain = new AuthContext.Named("default", "Default");
            return new AuthContext(token, new AuthContext.Named("crash-user", "crash-user"), domain,
                    new AuthContext.Scope.Project(new AuthContext.Named(PROJECT, PROJECT), domain),
                    Set.of("member", "admin"), Instant.now().plusSeconds(3600), List.of(), null);
        };
        // WRITE_DELAY=0: H2 writes each commit at once. With its default (a delayed write), kill -9
        // loses the listing updates of the last moments although their objects are on the devices.
        Database database = Database.open(new DatabaseConfig(DatabaseConfig.embedded(db) + ";WRITE_DELAY=0", "", "", 4));
        ObjectStoreService service = new ObjectStoreService(ObjectStoreConfig.defaults(devices, 0), database, tokens);
        HttpService http = new HttpService(service, new HttpService.Settings("127.0.0.1", 64 * 1024, tokens, null)).start();
        System.out.println("PORT " + http.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
