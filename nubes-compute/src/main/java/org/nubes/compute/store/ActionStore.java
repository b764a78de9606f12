package org.nubes.compute.store;

import static org.nubes.core.db.Rows.instant;
import static org.nubes.core.db.Rows.timestamp;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** os-instance-actions: what was asked of a server (one row per request) and the steps it took. */
public final class ActionStore {
    public record Action(long id, String instanceId, String action, String requestId, String userId, String projectId,
            String message, Instant startTime, Instant finishTime, Instant updatedAt) {}

    public record Event(String event, String host, String result, String traceback, Instant startTime, Instant finishTime) {}

    private final Jdbi jdbi;

    public ActionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void start(Handle h, String instanceId, String action, String requestId, String userId, String projectId, Instant now) {
        h.createUpdate("""
                        INSERT INTO instance_actions (instance_id, action, request_id, user_id, project_id, start_time, updated_at)
                        VALUES (:i, :a, :r, :u, :p, :now, :now)""")
                .bind("i", instanceId).bind("a", action).bind("r", requestId).bind("u", userId).bind("p", projectId)
                .bind("now", timestamp(now)).execute();
    }

    public void start(String instanceId, String action, String requestId, String userId, String projectId, Instant now) {
        jdbi.useHandle(h -> start(h, instanceId, action, requestId, userId, projectId, now));
    }

    /** Starts an event of the request's action; returns its id, or -1 when the action is unknown. */
    public long startEvent(String instanceId, String requestId, String event, String host, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO instance_action_events (action_id, event, host, start_time)
                        SELECT id, :e, :h, :now FROM instance_actions WHERE instance_id = :i AND request_id = :r""")
                .bind("i", instanceId).bind("r", requestId).bind("e", event).bind("h", host).bind("now", timestamp(now))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).findOne().orElse(-1L));
    }

    /** Records an event that is over already (a scheduling decision), in one go. */
    public void recordEvent(String instanceId, String requestId, String event, Instant start, boolean success,
            String traceback, Instant finish) {
        jdbi.useTransaction(h -> {
            int added = h.createUpdate("""
                            INSERT INTO instance_action_events (action_id, event, result, traceback, start_time, finish_time)
                            SELECT id, :e, :r, :t, :start, :finish FROM instance_actions WHERE instance_id = :i AND request_id = :q""")
                    .bind("e", event).bind("r", success ? "Success" : "Error").bind("t", traceback)
                    .bind("start", timestamp(start)).bind("finish", timestamp(finish))
                    .bind("i", instanceId).bind("q", requestId).execute();
            if (added > 0 && !success) {
                h.createUpdate("UPDATE instance_actions SET message = 'Error', updated_at = :now, finish_time = :now"
                                + " WHERE instance_id = :i AND request_id = :q")
                        .bind("now", timestamp(finish)).bind("i", instanceId).bind("q", requestId).execute();
            }
        });
    }

    /** Finishes an event; a failure also marks its action with Nova's message "Error". */
    public void finishEvent(long eventId, boolean success, String traceback, Instant now) {
        if (eventId < 0) {
            return;
        }
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE instance_action_events SET result = :r, traceback = :t, finish_time = :now WHERE id = :id")
                    .bind("id", eventId).bind("r", success ? "Success" : "Error").bind("t", traceback)
                    .bind("now", timestamp(now)).execute();
            h.createUpdate("""
                            UPDATE instance_actions SET updated_at = :now, finish_time = :now
                              %s WHERE id = (SELECT action_id FROM instance_action_events WHERE id = :id)"""
                            .formatted(success ? "" : ", message = 'Error'"))
                    .bind("id", eventId).bind("now", timestamp(now)).execute();
        });
    }

    /** A server's actions, newest first. */
    public List<Action> list(String instanceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM instance_actions WHERE instance_id = :i ORDER BY id DESC")
                .bind("i", instanceId).map((rs, c) -> new Action(rs.getLong("id"), rs.getString("instance_id"),
                        rs.getString("action"), rs.getString("request_id"), rs.getString("user_id"), rs.getString("project_id"),
                        rs.getString("message"), instant(rs, "start_time"), instant(rs, "finish_time"), instant(rs, "updated_at")))
                .list());
    }

    public List<Event> events(long actionId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM instance_action_events WHERE action_id = :a ORDER BY id")
                .bind("a", actionId).map((rs, c) -> new Event(rs.getString("event"), rs.getString("host"),
                        rs.getString("result"), rs.getString("traceback"), instant(rs, "start_time"), instant(rs, "finish_time")))
                .list());
    }
}
