package org.nubes.core.http;

import com.fasterxml.jackson.databind.JsonNode;

/** Renders an {@link ApiException} in one service's OpenStack fault format. */
@FunctionalInterface
public interface FaultRenderer {
    JsonNode render(ApiException fault);
}
