package org.nubes.network.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.FaultRenderer;
import org.nubes.core.json.Json;
import org.nubes.network.service.NeutronError;

/** Neutron's fault body: {"NeutronError": {"type": "...", "message": "...", "detail": ""}}. */
public final class NeutronFault implements FaultRenderer {
    @Override
    public JsonNode render(ApiException fault) {
        ObjectNode body = Json.object();
        body.putObject("NeutronError").put("type", fault instanceof NeutronError e ? e.type() : type(fault.kind())).put("message", fault.getMessage()).put("detail", "");
        return body;
    }

    static String type(ApiException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST, RANGE_NOT_SATISFIABLE -> "HTTPBadRequest";
            case UNAUTHORIZED -> "HTTPUnauthorized";
            case FORBIDDEN -> "HTTPForbidden";
            case NOT_FOUND, GONE -> "HTTPNotFound";
            case METHOD_NOT_ALLOWED -> "HTTPMethodNotAllowed";
            case NOT_ACCEPTABLE -> "HTTPNotAcceptable";
            case CONFLICT -> "HTTPConflict";
            case PAYLOAD_TOO_LARGE -> "HTTPRequestEntityTooLarge";
            case UNSUPPORTED_MEDIA_TYPE -> "HTTPUnsupportedMediaType";
            case INTERNAL -> "HTTPInternalServerError";
            case NOT_IMPLEMENTED -> "HTTPNotImplemented";
            case UNAVAILABLE -> "HTTPServiceUnavailable";
        };
    }
}
