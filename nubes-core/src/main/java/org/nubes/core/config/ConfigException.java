package org.nubes.core.config;

/** A configuration that cannot be used; the message says which key and what to do. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
