package org.nubes.core.http;

import java.util.Arrays;
import java.util.Optional;

/**
 * The one exception a handler throws to answer with an OpenStack fault. Each service renders it
 * in its own fault format through its {@link FaultRenderer}; handlers never catch it.
 */
public class ApiException extends RuntimeException {
    public enum Kind {
        BAD_REQUEST(400, "Bad Request"),
        UNAUTHORIZED(401, "Unauthorized"),
        FORBIDDEN(403, "Forbidden"),
        NOT_FOUND(404, "Not Found"),
        METHOD_NOT_ALLOWED(405, "Method Not Allowed"),
        NOT_ACCEPTABLE(406, "Not Acceptable"),
        CONFLICT(409, "Conflict"),
        GONE(410, "Gone"),
        PAYLOAD_TOO_LARGE(413, "Request Entity Too Large"),
        UNSUPPORTED_MEDIA_TYPE(415, "Unsupported Media Type"),
        RANGE_NOT_SATISFIABLE(416, "Requested Range Not Satisfiable"),
        INTERNAL(500, "Internal Server Error"),
        NOT_IMPLEMENTED(501, "Not Implemented"),
        UNAVAILABLE(503, "Service Unavailable");

        public final int status;
        public final String title;

        Kind(int status, String title) {
            this.status = status;
            this.title = title;
        }

        /** The kind of an HTTP status, or empty for a status no fault here has. */
        public static Optional<Kind> of(int status) {
            return Arrays.stream(values()).filter(kind -> kind.status == status).findFirst();
        }
    }

    private final Kind kind;

    public ApiException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ApiException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return kind.status;
    }

    public static ApiException badRequest(String format, Object... args) {
        return new ApiException(Kind.BAD_REQUEST, format.formatted(args));
    }

    public static ApiException unauthorized(String format, Object... args) {
        return new ApiException(Kind.UNAUTHORIZED, format.formatted(args));
    }

    public static ApiException forbidden(String format, Object... args) {
        return new ApiException(Kind.FORBIDDEN, format.formatted(args));
    }

    public static ApiException notFound(String format, Object... args) {
        return new ApiException(Kind.NOT_FOUND, format.formatted(args));
    }

    public static ApiException conflict(String format, Object... args) {
        return new ApiException(Kind.CONFLICT, format.formatted(args));
    }

    public static ApiException tooLarge(String format, Object... args) {
        return new ApiException(Kind.PAYLOAD_TOO_LARGE, format.formatted(args));
    }

    public static ApiException notImplemented(String format, Object... args) {
        return new ApiException(Kind.NOT_IMPLEMENTED, format.formatted(args));
    }
}
