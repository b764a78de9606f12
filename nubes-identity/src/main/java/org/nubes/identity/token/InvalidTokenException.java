package org.nubes.identity.token;

/** A token that cannot be trusted: malformed, forged, truncated, or signed by an unknown key. */
public class InvalidTokenException extends RuntimeException {
    public InvalidTokenException(String reason) {
        super(reason);
    }

    // No stack trace: forged tokens are attacker-controlled input and may arrive in bulk.
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
