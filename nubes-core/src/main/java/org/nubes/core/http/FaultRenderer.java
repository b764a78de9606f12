package org.nubes.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;

/** Renders an {@link ApiException} in one service's OpenStack fault format. */
@FunctionalInterface
public interface FaultRenderer {
    JsonNode render(ApiException fault);

    /** Writes the fault as the answer: the JSON of {@link #render}, unless the API answers faults in another form. */
    default void respond(Context ctx, ApiException fault) {
        Http.json(ctx, fault.status(), render(fault));
    }
}
