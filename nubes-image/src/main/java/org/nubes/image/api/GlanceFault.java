package org.nubes.image.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.FaultRenderer;
import org.nubes.core.json.Json;

/** Glance's fault body: {"code": 404, "title": "Not Found", "message": "..."}. */
public final class GlanceFault implements FaultRenderer {
    @Override
    public JsonNode render(ApiException fault) {
        return Json.object().put("code", fault.status()).put("title", fault.kind().title).put("message", fault.getMessage());
    }
}
