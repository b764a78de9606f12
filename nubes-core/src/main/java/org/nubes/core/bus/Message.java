package org.nubes.core.bus;

import com.fasterxml.jackson.databind.JsonNode;

/** One message on the bus: the method the receiver runs and its JSON arguments. */
public record Message(String method, JsonNode args) {}
