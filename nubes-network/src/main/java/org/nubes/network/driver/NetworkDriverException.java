package org.nubes.network.driver;

/** A network driver operation failed; the message says which command failed and why. */
public class NetworkDriverException extends Exception {
    public NetworkDriverException(String message) {
        super(message);
    }

    public NetworkDriverException(String message, Throwable cause) {
        super(message, cause);
    }
}
