package org.nubes.compute;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.compute.scheduler.Scheduler;
import org.nubes.compute.service.Hosts;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/**
 * The scheduler over three simulated hosts of 4 vCPUs and 2048 MiB each, without overcommit:
 * capacity, spreading, (anti-)affinity, disabled hosts and the ERROR of no valid host.
 */
class SchedulerTest {
    private static ComputeTestServer cloud;
    private static ApiClient admin;
    private static String image;
    private static final List<String> made = new ArrayList<>();

    @BeforeAll
    static void start() {
        cloud = new ComputeTestServer(Map.of("compute.fake_hosts", "3", "compute.fake_host_vcpus", "4",
                "compute.fake_host_memory_mb", "2048", "compute.fake_host_disk_gb", "100",
                "compute.cpu_allocation_ratio", "1.0", "compute.ram_allocation_ratio", "1.0",
                "compute.quota_instances", "-1", "compute.quota_cores", "-1", "compute.quota_ram", "-1"));
        admin = cloud.admin();
        image = cloud.image(admin, "base", true);
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @AfterEach
    void deleteServers() {
        made.forEach(id -> admin.delete("/v2.1/servers/" + id));
        made.clear();
        cloud.awaitIdle();
        Hosts hosts = cloud.service().hosts();
        hosts.all().forEach(h -> hosts.setDisabled(h.serviceId(), false, null));
    }

    private static JsonNode boot(String name, String flavor, String group) {
        ObjectNode body = ServerApiTest.serverBody(name, image, flavor);
        if (group != null) {
            body.putObject("os:scheduler_hints").put("group", group);
        }
        ApiClient.Response r = admin.post("/v2.1/servers", body);
        assertThat(r.status()).as(r.text()).isEqualTo(202);
        String id = r.json().path("server").path("id").asText();
        made.add(id);
        cloud.awaitIdle();
        return admin.get("/v2.1/servers/" + id).json().path("server");
    }

    private static String host(JsonNode server) {
        return server.path("OS-EXT-SRV-ATTR:host").asText();
    }

    @Test
    void serversSpreadOverTheHostsByFreeMemory() {
        Set<String> hosts = new HashSet<>();
        for (int n = 0; n < 3; n++) {
            hosts.add(host(boot("spread-" + n, "1", null)));
        }
        assertThat(hosts).containsExactlyInAnyOrder("test-host-1", "test-host-2", "test-host-3");
    }

    @Test
    void aServerTooBigForEveryHostEndsInErrorWithNoValidHost() {
        JsonNode server = boot("huge", "3", null);
        assertThat(server.path("status").asText()).isEqualTo("ERROR");
        assertThat(server.path("fault").path("message").asText()).isEqualTo(Scheduler.NO_VALID_HOST);
        assertThat(server.path("OS-EXT-SRV-ATTR:host").isNull()).isTrue();
    }

    @Test
    void capacityIsCountedFromThePlacedServers() {
        // m1.small takes 2048 MiB: a whole host each, so the fourth finds no room.
        for (int n = 0; n < 3; n++) {
            assertThat(boot("full-" + n, "2", null).path("status").asText()).isEqualTo("ACTIVE");
        }
        assertThat(boot("no-room", "2", null).path("status").asText()).isEqualTo("ERROR");
    }

    @Test
    void antiAffinityKeepsMembersApartAndAffinityTogether() {
        String apart = group("apart", "anti-affinity");
        Set<String> hosts = new HashSet<>();
        for (int n = 0; n < 3; n++) {
            hosts.add(host(boot("apart-" + n, "1", apart)));
        }
        assertThat(hosts).hasSize(3);
        assertThat(boot("apart-3", "1", apart).path("status").asText()).isEqualTo("ERROR");

        String together = group("together", "affinity");
        Set<String> same = new HashSet<>();
        for (int n = 0; n < 2; n++) {
            same.add(host(boot("together-" + n, "1", together)));
        }
        assertThat(same).hasSize(1);
        JsonNode members = admin.get("/v2.1/os-server-groups/" + together).json().path("server_group").path("members");
        assertThat(members.size()).isEqualTo(2);
    }

    @Test
    void aDisabledHostIsSkipped() {
        Hosts hosts = cloud.service().hosts();
        for (Hosts.Host h : hosts.all()) {
            if (!h.host().equals("test-host-2")) {
                hosts.setDisabled(h.serviceId(), true, "maintenance");
            }
        }
        for (int n = 0; n < 2; n++) {
            assertThat(host(boot("only-2-" + n, "1", null))).isEqualTo("test-host-2");
        }
    }

    private static String group(String name, String policy) {
        ObjectNode body = Json.object();
        body.putObject("server_group").put("name", name).putArray("policies").add(policy);
        ApiClient.Response r = admin.post("/v2.1/os-server-groups", body);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("server_group").path("id").asText();
    }
}
