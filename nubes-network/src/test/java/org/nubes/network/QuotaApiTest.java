package org.nubes.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.network.NetworkTestServer.body;
import static org.nubes.network.NetworkTestServer.network;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/** Quotas: defaults, per-project limits set by admins, usage details, and OverQuota under concurrency. */
class QuotaApiTest {
    private static NetworkTestServer server;

    @BeforeAll
    static void start() {
        server = new NetworkTestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void defaultsLimitsAndDetails() {
        var p = server.project("quota-a", "member");
        JsonNode quota = p.client().get("/v2.0/quotas/" + p.id()).json().path("quota");
        assertThat(quota.path("network").asInt()).isEqualTo(100);
        assertThat(quota.path("port").asInt()).isEqualTo(500);
        assertThat(quota.path("security_group_rule").asInt()).isEqualTo(100);
        assertThat(p.client().get("/v2.0/quotas/" + p.id() + "/default").json().path("quota").path("router").asInt()).isEqualTo(10);

        ApiClient admin = server.admin();
        assertThat(p.client().put("/v2.0/quotas/" + p.id(), Json.object().set("quota", Json.object().put("network", 1))).status())
                .isEqualTo(403);
        ApiClient.Response set = admin.put("/v2.0/quotas/" + p.id(), Json.object().set("quota", Json.object().put("network", 1)));
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().path("quota").path("network").asInt()).isEqualTo(1);
        assertThat(admin.put("/v2.0/quotas/" + p.id(), Json.object().set("quota", Json.object().put("bogus", 1))).status())
                .isEqualTo(400);
        assertThat(admin.put("/v2.0/quotas/" + p.id(), Json.object().set("quota", Json.object().putNull("network"))).status())
                .isEqualTo(400);
        assertThat(admin.put("/v2.0/quotas/" + p.id(), Json.object().set("quota", Json.object().put("network", -2))).status())
                .isEqualTo(400);
        assertThat(admin.get("/v2.0/quotas").json().findValuesAsText("project_id")).contains(p.id());

        network(p.client(), "only");
        ApiClient.Response over = p.client().post("/v2.0/networks", body("network", "name", "two"));
        assertThat(over.status()).isEqualTo(409);
        assertThat(over.json().path("NeutronError").path("type").asText()).isEqualTo("OverQuota");
        assertThat(over.json().path("NeutronError").path("message").asText()).isEqualTo("Quota exceeded for resources: ['network'].");
        JsonNode detail = p.client().get("/v2.0/quotas/" + p.id() + "/detail").json().path("quota").path("network");
        assertThat(detail.path("used").asInt()).isEqualTo(1);
        assertThat(detail.path("limit").asInt()).isEqualTo(1);
        assertThat(detail.path("reserved").asInt()).isEqualTo(0);

        var other = server.project("quota-b", "member");
        assertThat(other.client().get("/v2.0/quotas/" + p.id()).status()).isEqualTo(403);
        assertThat(other.client().get("/v2.0/quotas").status()).isEqualTo(403);
        assertThat(admin.delete("/v2.0/quotas/" + p.id()).status()).isEqualTo(204);
        assertThat(p.client().post("/v2.0/networks", body("network", "name", "two")).status()).isEqualTo(201);
    }

    @Test
    void concurrentCreatesNeverPassTheLimit() throws Exception {
        var p = server.project("quota-race", "member");
        server.admin().put("/v2.0/quotas/" + p.id(), Json.object().set("quota", Json.object().put("port", 5)));
        String net = network(p.client(), "race");
        List<Future<Integer>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> p.client().post("/v2.0/ports", body("port", "network_id", net)).status()));
            }
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> f : results) {
            statuses.add(f.get());
        }
        assertThat(statuses).filteredOn(s -> s == 201).hasSize(5);
        assertThat(statuses).filteredOn(s -> s == 409).hasSize(11);
    }
}
