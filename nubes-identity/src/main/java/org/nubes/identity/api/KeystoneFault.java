package org.nubes.identity.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.FaultRenderer;
import org.nubes.core.json.Json;

/** Keystone's fault format: {"error": {"code": 404, "message": "...", "title": "Not Found"}}. */
public final class KeystoneFault implements FaultRenderer {
    @Override
    public JsonNode render(ApiException fault) {
        var body = Json.object();
        body.putObject("error")
                .put("code", fault.status())
                .put("message", fault.getMessage())
                .put("title", fault.kind().title);
        return body;
    }
}
