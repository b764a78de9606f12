package org.nubes.core.bus;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * How the parts of one service talk (API, scheduler, agents): never direct calls across roles.
 * Messages are JSON, so the in-process bus and the RabbitMQ bus behave the same.
 */
public interface MessageBus extends AutoCloseable {
    /** Delivers to one subscriber of the topic, without waiting for it. */
    void cast(String topic, Message message);

    /**
     * Delivers to one subscriber and completes with its answer; completes exceptionally with a
     * {@link java.util.concurrent.TimeoutException} after the timeout, or with {@link BusException}
     * when nobody listens or the handler failed.
     */
    CompletableFuture<JsonNode> call(String topic, Message message, Duration timeout);

    /** Delivers to every subscriber of the topic. */
    void fanout(String topic, Message message);

    /** Starts receiving a topic's messages; close the subscription to stop. */
    Subscription subscribe(String topic, MessageHandler handler);

    /** Waits until no delivered message is being handled (tests wait on this, not on sleeps). */
    boolean awaitIdle(Duration timeout) throws InterruptedException;

    @Override
    void close();

    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
