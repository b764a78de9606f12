package org.nubes.compute.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.nubes.core.bus.Message;
import org.nubes.core.bus.MessageBus;
import org.nubes.core.http.ApiException;

/** Questions the API asks a compute host and waits for (console output, diagnostics, uptime). */
public final class AgentCalls {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private AgentCalls() {}

    /** The host's answer; 503 when it does not answer in time or fails. */
    public static JsonNode call(MessageBus bus, String host, String method, ObjectNode args) {
        try {
            return bus.call(Servers.COMPUTE_TOPIC + host, new Message(method, args), TIMEOUT).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TimeoutException) {
                throw new ApiException(ApiException.Kind.UNAVAILABLE, "The compute host " + host + " did not answer in time.");
            }
            throw new ApiException(ApiException.Kind.UNAVAILABLE,
                    "The compute host %s could not answer: %s".formatted(host, cause == null ? e.getMessage() : cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiException.Kind.UNAVAILABLE, "Interrupted while waiting for the compute host " + host + ".");
        }
    }
}
