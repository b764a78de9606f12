package org.nubes.compute.driver;

/** A driver operation failed; the message is what the user sees in the server's fault. */
public class DriverException extends Exception {
    public DriverException(String message) {
        super(message);
    }

    public DriverException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The driver does not offer the operation at all. */
    public static final class NotSupported extends DriverException {
        public NotSupported(String driver, VirtDriver.Capability capability) {
            super("The %s driver does not support %s.".formatted(driver, capability.name().toLowerCase(java.util.Locale.ROOT)));
        }
    }
}
