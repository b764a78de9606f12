package org.nubes.core.bus;

/** A call that could not be answered: nobody listens on the topic, or the handler failed. */
public class BusException extends RuntimeException {
    public BusException(String message) {
        super(message);
    }

    public BusException(String message, Throwable cause) {
        super(message, cause);
    }
}
