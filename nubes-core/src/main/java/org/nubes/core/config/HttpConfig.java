package org.nubes.core.config;

/** Settings every API shares. */
public record HttpConfig(String bind, String publicHost, long maxRequestBytes) {
    public static HttpConfig from(Config config) {
        return new HttpConfig(config.string("http.bind"), config.string("http.public_host"),
                config.integer("http.max_request_bytes"));
    }

    /** http://public_host:port, the base of a service's catalog URLs. */
    public String url(int port) {
        return "http://" + publicHost + ":" + port;
    }
}
