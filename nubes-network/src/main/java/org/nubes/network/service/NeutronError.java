package org.nubes.network.service;

import org.nubes.core.http.ApiException;

/**
 * A fault with one of Neutron's own types (NetworkNotFound, OverQuota, ...), which clients match
 * on; core's ApiException knows only the HTTP kind.
 */
public final class NeutronError extends ApiException {
    private final String type;

    public NeutronError(Kind kind, String type, String message) {
        super(kind, message);
        this.type = type;
    }

    public String type() {
        return type;
    }

    public static NeutronError notFound(String type, String format, Object... args) {
        return new NeutronError(Kind.NOT_FOUND, type, format.formatted(args));
    }

    public static NeutronError conflict(String type, String format, Object... args) {
        return new NeutronError(Kind.CONFLICT, type, format.formatted(args));
    }

    /** 403 for an operation or attribute the named policy rule keeps from the caller. */
    public static NeutronError policy(String rule) {
        return new NeutronError(Kind.FORBIDDEN, "PolicyNotAuthorized", "(rule:%s) is disallowed by policy".formatted(rule));
    }

    /** 400 InvalidInput, for a request that is well-formed but cannot be done. */
    public static NeutronError invalidInput(String format, Object... args) {
        return new NeutronError(Kind.BAD_REQUEST, "InvalidInput", "Invalid input for operation: " + format.formatted(args));
    }

    /** 400 for an attribute whose value is wrong, worded as Neutron's attribute validation. */
    public static ApiException badAttribute(String attribute, String format, Object... args) {
        return ApiException.badRequest("Invalid input for %s. Reason: %s.", attribute, format.formatted(args));
    }
}
