package org.nubes.compute.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.FaultRenderer;
import org.nubes.core.json.Json;

/** Nova's fault body: {"itemNotFound": {"code": 404, "message": "..."}}, keyed by the fault's name. */
public final class NovaFault implements FaultRenderer {
    @Override
    public JsonNode render(ApiException fault) {
        ObjectNode body = Json.object();
        body.putObject(name(fault.kind())).put("code", fault.status()).put("message", fault.getMessage());
        return body;
    }

    static String name(ApiException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> "badRequest";
            case UNAUTHORIZED -> "unauthorized";
            case FORBIDDEN -> "forbidden";
            case NOT_FOUND, GONE -> "itemNotFound";
            case METHOD_NOT_ALLOWED -> "badMethod";
            case NOT_ACCEPTABLE -> "notAcceptable";
            case CONFLICT -> "conflictingRequest";
            case PAYLOAD_TOO_LARGE -> "overLimit";
            case UNSUPPORTED_MEDIA_TYPE -> "badMediaType";
            case RANGE_NOT_SATISFIABLE -> "badRequest";
            case INTERNAL -> "computeFault";
            case NOT_IMPLEMENTED -> "notImplemented";
            case UNAVAILABLE -> "serviceUnavailable";
        };
    }
}
