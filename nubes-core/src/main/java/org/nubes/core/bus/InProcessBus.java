package org.nubes.core.bus;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.nubes.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus of the all-in-one process: each delivery runs on its own virtual thread. Arguments are
 * copied through their JSON form, so no receiver shares mutable state with the sender, exactly as
 * over RabbitMQ.
 */
public final class InProcessBus implements MessageBus {
    private static final Logger LOG = LoggerFactory.getLogger(InProcessBus.class);

    private final Map<String, List<MessageHandler>> topics = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object idle = new Object();

    @Override
    public void cast(String topic, Message message) {
        MessageHandler handler = pick(topic);
        if (handler == null) {
            LOG.warn("cast {} to {} dropped: nobody listens", message.method(), topic);
            return;
        }
        deliver(handler, copy(message), null);
    }

    @Override
    public CompletableFuture<JsonNode> call(String topic, Message message, Duration timeout) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        MessageHandler handler = pick(topic);
        if (handler == null) {
            answer.completeExceptionally(new BusException("nobody listens on topic " + topic));
            return answer;
        }
        deliver(handler, copy(message), answer);
        return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void fanout(String topic, Message message) {
        for (MessageHandler handler : topics.getOrDefault(topic, List.of())) {
            deliver(handler, copy(message), null);
        }
    }

    @Override
    public Subscription subscribe(String topic, MessageHandler handler) {
        topics.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(handler);
        return () -> topics.getOrDefault(topic, List.of()).remove(handler);
    }

    @Override
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        return true;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private MessageHandler pick(String topic) {
        List<MessageHandler> handlers = topics.getOrDefault(topic, List.of());
        if (handlers.isEmpty()) {
            return null;
        }
        int next = roundRobin.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement();
        return handlers.get(Math.floorMod(next, handlers.size()));
    }

    private void deliver(MessageHandler handler, Message message, CompletableFuture<JsonNode> answer) {
        inFlight.incrementAndGet();
        executor.execute(() -> {
            try {
                JsonNode result = handler.handle(message);
                if (answer != null) {
                    answer.complete(result == null ? null : result.deepCopy());
                }
            } catch (Exception e) {
                if (answer != null) {
                    answer.completeExceptionally(new BusException(message.method() + " failed: " + e.getMessage(), e));
                } else {
                    LOG.error("cast {} failed", message.method(), e);
                }
            } finally {
                if (inFlight.decrementAndGet() == 0) {
                    synchronized (idle) {
                        idle.notifyAll();
                    }
                }
            }
        });
    }

    private static Message copy(Message message) {
        JsonNode args = message.args() == null ? null : Json.parse(Json.bytes(message.args()));
        return new Message(message.method(), args);
    }
}
