package org.nubes.core.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;

class InProcessBusTest {
    private static final Duration IDLE = Duration.ofSeconds(10);

    private final InProcessBus bus = new InProcessBus();
    private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        gates.forEach(g -> { while (g.getCount() > 0) g.countDown(); });
        bus.close();
    }

    @Test
    void aCastReachesExactlyOneSubscriberTakingTurns() throws InterruptedException {
        List<Integer> first = new CopyOnWriteArrayList<>();
        List<Integer> second = new CopyOnWriteArrayList<>();
        bus.subscribe("scheduler", m -> { first.add(m.args().path("n").asInt()); return null; });
        bus.subscribe("scheduler", m -> { second.add(m.args().path("n").asInt()); return null; });

        for (int n = 0; n < 10; n++) {
            bus.cast("scheduler", message("select", n));
        }

        assertThat(bus.awaitIdle(IDLE)).isTrue();
        assertThat(first).hasSize(5);
        assertThat(second).hasSize(5);
        List<Integer> all = new java.util.ArrayList<>(first);
        all.addAll(second);
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void aCastToNobodyIsDropped() throws InterruptedException {
        bus.cast("nobody", message("select", 1));

        assertThat(bus.awaitIdle(IDLE)).isTrue();
    }

    @Test
    void aCastThatFailsDoesNotStopTheBus() throws Exception {
        bus.subscribe("t", m -> {
            if (m.method().equals("fail")) {
                throw new IllegalStateException("broken");
            }
            return Json.object().put("ok", true);
        });

        bus.cast("t", message("fail", 1));
        assertThat(bus.awaitIdle(IDLE)).isTrue();

        assertThat(bus.call("t", message("work", 2), IDLE).get(10, TimeUnit.SECONDS).path("ok").asBoolean()).isTrue();
    }

    @Test
    void aFanoutReachesEverySubscriberOnce() throws InterruptedException {
        List<String> received = new CopyOnWriteArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            bus.subscribe("hosts", m -> { received.add(name + ":" + m.method()); return null; });
        }
        bus.subscribe("other", m -> { received.add("other"); return null; });

        bus.fanout("hosts", message("refresh", 1));

        assertThat(bus.awaitIdle(IDLE)).isTrue();
        assertThat(received).containsExactlyInAnyOrder("a:refresh", "b:refresh", "c:refresh");
    }

    @Test
    void aCallReturnsTheAnswer() throws Exception {
        bus.subscribe("compute", m -> Json.object().put("doubled", m.args().path("n").asInt() * 2).put("method", m.method()));

        JsonNode answer = bus.call("compute", message("double", 21), IDLE).get(10, TimeUnit.SECONDS);

        assertThat(answer.path("doubled").asInt()).isEqualTo(42);
        assertThat(answer.path("method").asText()).isEqualTo("double");
    }

    @Test
    void aCallIsAnsweredByOneSubscriber() throws Exception {
        List<String> calledBy = new CopyOnWriteArrayList<>();
        bus.subscribe("compute", m -> { calledBy.add("a"); return Json.object().put("by", "a"); });
        bus.subscribe("compute", m -> { calledBy.add("b"); return Json.object().put("by", "b"); });

        String by = bus.call("compute", message("x", 1), IDLE).get(10, TimeUnit.SECONDS).path("by").asText();

        assertThat(bus.awaitIdle(IDLE)).isTrue();
        assertThat(calledBy).containsExactly(by);
    }

    @Test
    void aCallMayBeAnsweredWithNothing() throws Exception {
        bus.subscribe("compute", m -> null);

        assertThat(bus.call("compute", message("x", 1), IDLE).get(10, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void aCallWithNobodyListeningFailsWithBusException() {
        CompletableFuture<JsonNode> answer = bus.call("nobody", message("x", 1), IDLE);

        assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BusException.class).hasMessageContaining("nobody");
    }

    @Test
    void aCallWhoseHandlerThrowsFailsWithBusExceptionCarryingTheCause() {
        IllegalStateException failure = new IllegalStateException("no valid host");
        bus.subscribe("scheduler", m -> { throw failure; });

        CompletableFuture<JsonNode> answer = bus.call("scheduler", message("select", 1), IDLE);

        assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BusException.class)
                .hasMessageContaining("select")
                .hasMessageContaining("no valid host")
                .cause().isSameAs(failure);
    }

    @Test
    void aCallThatIsNotAnsweredInTimeFailsWithTimeoutException() throws InterruptedException {
        CountDownLatch gate = gate();
        bus.subscribe("slow", m -> { gate.await(); return Json.object(); });

        CompletableFuture<JsonNode> answer = bus.call("slow", message("x", 1), Duration.ofMillis(50));

        assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class);
        gate.countDown();
        assertThat(bus.awaitIdle(IDLE)).isTrue();
    }

    @Test
    void theReceiverGetsACopyOfTheArguments() throws Exception {
        ObjectNode args = Json.object().put("n", 1);
        args.putObject("nested").put("name", "original");
        bus.subscribe("t", m -> {
            ((ObjectNode) m.args()).put("n", 2);
            ((ObjectNode) m.args().path("nested")).put("name", "changed");
            return m.args();
        });

        JsonNode answer = bus.call("t", new Message("m", args), IDLE).get(10, TimeUnit.SECONDS);
        bus.cast("t", new Message("m", args));
        bus.fanout("t", new Message("m", args));
        assertThat(bus.awaitIdle(IDLE)).isTrue();

        assertThat(args.path("n").asInt()).isEqualTo(1);
        assertThat(args.path("nested").path("name").asText()).isEqualTo("original");
        assertThat(answer.path("n").asInt()).isEqualTo(2);
    }

    @Test
    void theSenderMayChangeItsArgumentsRightAfterSending() throws Exception {
        CountDownLatch gate = gate();
        AtomicReference<String> seen = new AtomicReference<>();
        bus.subscribe("t", m -> { gate.await(); seen.set(m.args().path("name").asText()); return null; });
        ObjectNode args = Json.object().put("name", "before");

        bus.cast("t", new Message("m", args));
        args.put("name", "after");
        gate.countDown();

        assertThat(bus.awaitIdle(IDLE)).isTrue();
        assertThat(seen.get()).isEqualTo("before");
    }

    @Test
    void theCallerGetsACopyOfTheAnswer() throws Exception {
        ObjectNode kept = Json.object().put("state", "active");
        bus.subscribe("t", m -> kept);

        ObjectNode answer = (ObjectNode) bus.call("t", message("x", 1), IDLE).get(10, TimeUnit.SECONDS);
        answer.put("state", "deleted");

        assertThat(kept.path("state").asText()).isEqualTo("active");
    }

    @Test
    void messagesWithoutArgumentsAreDelivered() throws Exception {
        bus.subscribe("t", m -> Json.object().put("null", m.args() == null));

        assertThat(bus.call("t", new Message("ping", null), IDLE).get(10, TimeUnit.SECONDS).path("null").asBoolean()).isTrue();
    }

    @Test
    void awaitIdleWaitsForHandlersInFlight() throws InterruptedException {
        CountDownLatch gate = gate();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        bus.subscribe("t", m -> {
            started.countDown();
            gate.await();
            Thread.sleep(50);
            finished.set(true);
            return null;
        });

        bus.cast("t", message("work", 1));

        assertThat(bus.awaitIdle(Duration.ofMillis(100))).isFalse();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        gate.countDown();
        assertThat(bus.awaitIdle(IDLE)).isTrue();
        assertThat(finished).isTrue();
    }

    @Test
    void awaitIdleCountsWorkThatHandlersStart() throws InterruptedException {
        AtomicBoolean second = new AtomicBoolean();
        bus.subscribe("first", m -> { bus.cast("second", message("next", 2)); return null; });
        bus.subscribe("second", m -> { Thread.sleep(50); second.set(true); return null; });

        bus.cast("first", message("start", 1));

        assertThat(bus.awaitIdle(IDLE)).isTrue();
        assertThat(second).isTrue();
    }

    @Test
    void anIdleBusIsIdleAtOnce() throws InterruptedException {
        assertThat(bus.awaitIdle(Duration.ZERO)).isTrue();
    }

    @Test
    void aClosedSubscriptionReceivesNothingMore() throws InterruptedException {
        List<String> received = new CopyOnWriteArrayList<>();
        MessageBus.Subscription a = bus.subscribe("t", m -> { received.add("a"); return null; });
        bus.subscribe("t", m -> { received.add("b"); return null; });

        a.close();
        for (int i = 0; i < 4; i++) {
            bus.cast("t", message("x", i));
        }
        bus.fanout("t", message("y", 0));

        assertThat(bus.awaitIdle(IDLE)).isTrue();
        assertThat(received).containsOnly("b").hasSize(5);
    }

    private CountDownLatch gate() {
        CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    private static Message message(String method, int n) {
        return new Message(method, Json.object().put("n", n));
    }
}
