package org.nubes.core.bus;

import com.fasterxml.jackson.databind.JsonNode;

/** Receives messages of a topic; the answer goes back to a call, and is ignored for casts. */
@FunctionalInterface
public interface MessageHandler {
    JsonNode handle(Message message) throws Exception;
}
