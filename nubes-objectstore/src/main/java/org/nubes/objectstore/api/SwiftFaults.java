package org.nubes.objectstore.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.FaultRenderer;
import org.nubes.core.json.Json;
import org.nubes.objectstore.service.SwiftError;

/**
 * The core's own faults (a path no route matches, a method a path does not take, a body too large)
 * in Swift's form: the standard text/html body of the status, as SwiftError gives the API's own.
 */
public final class SwiftFaults implements FaultRenderer {
    /** The interface's JSON form, which {@link #respond} does not use: Swift answers faults as text/html. */
    @Override
    public JsonNode render(ApiException fault) {
        return Json.object().put("code", fault.status()).put("title", fault.kind().title).put("message", fault.getMessage());
    }

    @Override
    public void respond(Context ctx, ApiException fault) {
        SwiftApi.text(ctx, fault.status(), SwiftError.of(fault.status()).body());
    }
}
