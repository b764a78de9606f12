package org.nubes.core.http;

import org.nubes.core.auth.Policy;

/**
 * A service module's one entry point: its routes, its fault format, its policy and its lifecycle.
 * {@link HttpService} puts it on its own port.
 */
public interface ApiService {
    /** Short name, used in logs ("identity"). */
    String name();

    /** The TCP port it listens on. */
    int port();

    FaultRenderer faults();

    Policy policy();

    void routes(Routes routes);

    /** The catalog entries of this service, given the base URL (http://host:port) it is reached at. */
    java.util.List<CatalogEntry> catalogEntries(String baseUrl);

    /**
     * The microversions the API honours, negotiated on every request before anything else so that
     * even a fault echoes the version; null for an API without microversions.
     */
    default MicroversionRange microversions() {
        return null;
    }

    /** Called once before the port opens. */
    default void start() {}

    /** Called once after the port closed. */
    default void stop() {}
}
