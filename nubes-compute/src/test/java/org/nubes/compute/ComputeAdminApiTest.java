package org.nubes.compute;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.ApiSamples;

/**
 * The admin and accounting APIs over two fake hosts: availability zones, hypervisors, services,
 * quota sets and limits. One server of project alpha runs throughout; tests that change a service
 * put it back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComputeAdminApiTest {
    private static ComputeTestServer cloud;
    private static ApiClient admin;
    private static ComputeTestServer.Project alpha;
    private static ComputeTestServer.Project beta;
    private static String serverId;

    @BeforeAll
    static void start() {
        cloud = new ComputeTestServer(Map.of("compute.fake_hosts", "2"));
        admin = cloud.admin();
        alpha = cloud.project("admin-alpha", "member");
        beta = cloud.project("admin-beta", "member");
        String image = cloud.image(admin, "cirros", true);
        ObjectNode body = Json.object();
        body.putObject("server").put("name", "counted").put("imageRef", image).put("flavorRef", "2");
        ApiClient.Response made = alpha.client().post("/v2.1/servers", body);
        assertThat(made.status()).as(made.text()).isEqualTo(202);
        serverId = made.json().path("server").path("id").asText();
        assertThat(cloud.settled(alpha.client(), serverId).path("status").asText()).isEqualTo("ACTIVE");
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static ApiClient.Response get(ApiClient client, String path, String version) {
        return client.send("GET", path, null, "OpenStack-API-Version", "compute " + version);
    }

    private static ApiClient.Response put(ApiClient client, String path, Object body, String version) {
        return client.send("PUT", path, body, "OpenStack-API-Version", "compute " + version);
    }

    private static List<String> texts(JsonNode list, String field) {
        List<String> values = new ArrayList<>();
        list.forEach(n -> values.add(n.path(field).asText()));
        return values;
    }

    @Test
    @Order(1)
    void availabilityZones() {
        ApiClient.Response list = alpha.client().get("/v2.1/os-availability-zone");
        assertThat(list.status()).isEqualTo(200);
        ApiSamples.assertMatches("compute/availability-zone-list", list.json());
        assertThat(alpha.client().get("/v2.1/os-availability-zone/detail").status()).isEqualTo(403);
        ApiClient.Response detail = admin.get("/v2.1/os-availability-zone/detail");
        assertThat(detail.status()).isEqualTo(200);
        ApiSamples.assertMatches("compute/availability-zone-detail", detail.json());
    }

    @Test
    @Order(2)
    void hypervisorsByMicroversion() {
        assertThat(alpha.client().get("/v2.1/os-hypervisors").status()).isEqualTo(403);
        JsonNode v21 = admin.get("/v2.1/os-hypervisors").json();
        assertThat(v21.path("hypervisors")).hasSize(2);
        assertThat(v21.path("hypervisors").get(0).path("id").isIntegralNumber()).isTrue();
        assertThat(texts(v21.path("hypervisors"), "hypervisor_hostname")).containsExactlyInAnyOrder("test-host-1", "test-host-2");
        assertThat(v21.has("hypervisors_links")).isFalse();

        JsonNode v253 = get(admin, "/v2.1/os-hypervisors", "2.53").json();
        ApiSamples.assertMatches("compute/hypervisor-list-v2.53", v253);

        ApiClient.Response page = get(admin, "/v2.1/os-hypervisors?limit=1", "2.33");
        ApiSamples.assertMatches("compute/hypervisor-list-v2.33", page.json());
        String firstId = page.json().path("hypervisors").get(0).path("id").asText();
        assertThat(page.json().path("hypervisors_links").get(0).path("href").asText())
                .isEqualTo(cloud.url() + "/v2.1/os-hypervisors?limit=1&marker=" + firstId);
        JsonNode rest = get(admin, "/v2.1/os-hypervisors?marker=" + firstId, "2.33").json();
        assertThat(rest.path("hypervisors")).hasSize(1);
        assertThat(rest.path("hypervisors").get(0).path("id").asText()).isNotEqualTo(firstId);
        assertThat(get(admin, "/v2.1/os-hypervisors?marker=999", "2.33").status()).isEqualTo(400);

        String uuid = v253.path("hypervisors").get(0).path("id").asText();
        ApiClient.Response shown = get(admin, "/v2.1/os-hypervisors/" + uuid, "2.53");
        assertThat(shown.status()).isEqualTo(200);
        ApiSamples.assertMatches("compute/hypervisor-show-v2.53", shown.json());
        JsonNode hyp = shown.json().path("hypervisor");
        assertThat(hyp.path("cpu_info").isObject()).isTrue();
        assertThat(hyp.path("free_ram_mb").asInt()).isEqualTo(hyp.path("memory_mb").asInt() - hyp.path("memory_mb_used").asInt());
        assertThat(get(admin, "/v2.1/os-hypervisors/" + firstId, "2.1").json().path("hypervisor").path("cpu_info").isTextual())
                .isTrue();
        assertThat(get(admin, "/v2.1/os-hypervisors/not-a-uuid", "2.53").status()).isEqualTo(400);
        assertThat(get(admin, "/v2.1/os-hypervisors/00000000-0000-0000-0000-000000000000", "2.53").status()).isEqualTo(404);
        ApiClient.Response notInt = get(admin, "/v2.1/os-hypervisors/abc", "2.1");
        assertThat(notInt.status()).isEqualTo(404);
        assertThat(notInt.json().path("itemNotFound").path("message").asText())
                .isEqualTo("Hypervisor with ID 'abc' could not be found.");

        // The server of alpha runs on one of the hosts and uses its flavor there.
        JsonNode detail = get(admin, "/v2.1/os-hypervisors/detail", "2.53").json().path("hypervisors");
        int vms = 0;
        int ramUsed = 0;
        for (JsonNode h : detail) {
            vms += h.path("running_vms").asInt();
            ramUsed += h.path("memory_mb_used").asInt();
        }
        assertThat(vms).isEqualTo(1);
        assertThat(ramUsed).isEqualTo(2048);
        ApiClient.Response stats = admin.get("/v2.1/os-hypervisors/statistics");
        ApiSamples.assertMatches("compute/hypervisor-statistics", stats.json());
        assertThat(stats.json().path("hypervisor_statistics").path("running_vms").asInt()).isEqualTo(1);
        assertThat(stats.json().path("hypervisor_statistics").path("vcpus").asInt()).isEqualTo(32);
    }

    @Test
    @Order(3)
    void hypervisorSearchesAndServers() {
        JsonNode found = get(admin, "/v2.1/os-hypervisors/host-2/search", "2.1").json().path("hypervisors");
        assertThat(texts(found, "hypervisor_hostname")).containsExactly("test-host-2");
        ApiClient.Response none = get(admin, "/v2.1/os-hypervisors/nothing/search", "2.1");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.json().path("itemNotFound").path("message").asText())
                .isEqualTo("No hypervisor matching 'nothing' could be found.");
        assertThat(get(admin, "/v2.1/os-hypervisors/host/search", "2.53").status()).isEqualTo(404);

        JsonNode withServers = get(admin, "/v2.1/os-hypervisors/test-host/servers", "2.1").json().path("hypervisors");
        assertThat(withServers).hasSize(2);
        assertThat(withServers.toString()).contains(serverId);

        JsonNode pattern = get(admin, "/v2.1/os-hypervisors?hypervisor_hostname_pattern=host-1&with_servers=true", "2.53")
                .json().path("hypervisors");
        assertThat(texts(pattern, "hypervisor_hostname")).containsExactly("test-host-1");
        JsonNode all = get(admin, "/v2.1/os-hypervisors/detail?with_servers=true", "2.53").json().path("hypervisors");
        List<String> servers = new ArrayList<>();
        all.forEach(h -> h.path("servers").forEach(s -> servers.add(s.path("uuid").asText() + "/" + s.path("name").asText())));
        assertThat(servers).containsExactly(serverId + "/counted");
        assertThat(get(admin, "/v2.1/os-hypervisors?hypervisor_hostname_pattern=host&limit=1", "2.53").status())
                .isEqualTo(400);
        assertThat(get(admin, "/v2.1/os-hypervisors?with_servers=perhaps", "2.53").status()).isEqualTo(400);
    }

    @Test
    @Order(4)
    void servicesAreListedDisabledAndForcedDown() {
        assertThat(alpha.client().get("/v2.1/os-services").status()).isEqualTo(403);
        ApiSamples.assertMatches("compute/service-list-v2.1", admin.get("/v2.1/os-services").json());
        JsonNode services = get(admin, "/v2.1/os-services", "2.53").json();
        ApiSamples.assertMatches("compute/service-list-v2.53", services);
        assertThat(get(admin, "/v2.1/os-services?host=test-host-2", "2.53").json().path("services")).hasSize(1);
        assertThat(get(admin, "/v2.1/os-services?binary=nova-scheduler", "2.53").json().path("services")).isEmpty();
        JsonNode first = services.path("services").get(0);
        String id = first.path("id").asText();
        String host = first.path("host").asText();

        ApiClient.Response disabled = put(admin, "/v2.1/os-services/" + id,
                Json.object().put("status", "disabled").put("disabled_reason", "maintenance"), "2.53");
        assertThat(disabled.status()).as(disabled.text()).isEqualTo(200);
        ApiSamples.assertMatches("compute/service-update-v2.53", disabled.json());
        assertThat(get(admin, "/v2.1/os-hypervisors/statistics", "2.53").json().path("hypervisor_statistics")
                .path("count").asInt()).isEqualTo(1);
        JsonNode zones = admin.get("/v2.1/os-availability-zone/detail").json().path("availabilityZoneInfo");
        assertThat(zones.get(0).path("hosts").has(host)).isFalse();

        ApiClient.Response forced = put(admin, "/v2.1/os-services/" + id, Json.object().put("forced_down", true), "2.53");
        assertThat(forced.json().path("service").path("state").asText()).isEqualTo("down");
        assertThat(forced.json().path("service").path("forced_down").asBoolean()).isTrue();

        ApiClient.Response bad = put(admin, "/v2.1/os-services/" + id,
                Json.object().put("status", "enabled").put("disabled_reason", "why"), "2.53");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("badRequest").path("message").asText())
                .isEqualTo("Specifying 'disabled_reason' with status 'enabled' is invalid.");
        assertThat(put(admin, "/v2.1/os-services/" + id, Json.object(), "2.53").status()).isEqualTo(400);
        assertThat(put(admin, "/v2.1/os-services/" + id, Json.object().put("status", "sleeping"), "2.53").status())
                .isEqualTo(400);
        assertThat(put(admin, "/v2.1/os-services/not-a-uuid", Json.object().put("status", "enabled"), "2.53").status())
                .isEqualTo(400);
        assertThat(put(admin, "/v2.1/os-services/00000000-0000-0000-0000-000000000000",
                Json.object().put("status", "enabled"), "2.53").status()).isEqualTo(404);
        assertThat(put(alpha.client(), "/v2.1/os-services/" + id, Json.object().put("status", "enabled"), "2.53").status())
                .isEqualTo(403);

        ApiClient.Response enabled = put(admin, "/v2.1/os-services/" + id,
                Json.object().put("status", "enabled").put("forced_down", false), "2.53");
        assertThat(enabled.json().path("service").path("status").asText()).isEqualTo("enabled");
        assertThat(enabled.json().path("service").path("state").asText()).isEqualTo("up");
        assertThat(enabled.json().path("service").path("disabled_reason").isNull()).isTrue();
    }

    @Test
    @Order(5)
    void legacyServiceActionsBefore253() {
        String host = "test-host-2";
        ObjectNode body = Json.object().put("host", host).put("binary", "nova-compute").put("disabled_reason", "test2");
        ApiClient.Response disabled = put(admin, "/v2.1/os-services/disable-log-reason", body, "2.1");
        assertThat(disabled.status()).as(disabled.text()).isEqualTo(200);
        assertThat(disabled.json()).isEqualTo(Json.object().set("service", Json.object().put("binary", "nova-compute")
                .put("disabled_reason", "test2").put("host", host).put("status", "disabled")));
        JsonNode listed = get(admin, "/v2.1/os-services?host=" + host, "2.11").json().path("services").get(0);
        assertThat(listed.path("status").asText()).isEqualTo("disabled");
        assertThat(listed.path("disabled_reason").asText()).isEqualTo("test2");
        assertThat(listed.path("forced_down").asBoolean()).isFalse();
        assertThat(listed.path("id").isIntegralNumber()).isTrue();

        ObjectNode target = Json.object().put("host", host).put("binary", "nova-compute");
        ApiClient.Response enabled = put(admin, "/v2.1/os-services/enable", target, "2.1");
        assertThat(enabled.json()).isEqualTo(Json.object().set("service", Json.object().put("binary", "nova-compute")
                .put("host", host).put("status", "enabled")));
        // force-down exists from 2.11.
        ObjectNode down = target.deepCopy().put("forced_down", true);
        assertThat(put(admin, "/v2.1/os-services/force-down", down, "2.10").status()).isIn(400, 404);
        ApiClient.Response forced = put(admin, "/v2.1/os-services/force-down", down, "2.11");
        assertThat(forced.status()).isEqualTo(200);
        assertThat(forced.json().path("service").path("forced_down").asBoolean()).isTrue();
        assertThat(put(admin, "/v2.1/os-services/force-down", target.deepCopy().put("forced_down", false), "2.11")
                .status()).isEqualTo(200);

        assertThat(put(admin, "/v2.1/os-services/reboot", target, "2.1").status()).isEqualTo(404);
        ApiClient.Response missing = put(admin, "/v2.1/os-services/disable",
                Json.object().put("host", "nowhere").put("binary", "nova-compute"), "2.1");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("itemNotFound").path("message").asText())
                .isEqualTo("Could not find binary nova-compute on host nowhere.");
        assertThat(put(admin, "/v2.1/os-services/disable",
                Json.object().put("host", host).put("binary", "nova-scheduler"), "2.1").status()).isEqualTo(400);
        assertThat(put(admin, "/v2.1/os-services/disable-log-reason", target, "2.1").status()).isEqualTo(400);
    }

    @Test
    @Order(6)
    void quotaSetsPerMicroversion() {
        ApiSamples.assertMatches("compute/quota-set-show-v2.1", alpha.client().get("/v2.1/os-quota-sets/" + alpha.id()).json());
        ApiSamples.assertMatches("compute/quota-set-show-v2.36",
                get(alpha.client(), "/v2.1/os-quota-sets/" + alpha.id(), "2.36").json());
        assertThat(alpha.client().get("/v2.1/os-quota-sets/" + beta.id()).status()).isEqualTo(403);
        ApiSamples.assertMatches("compute/quota-set-show-v2.36",
                get(alpha.client(), "/v2.1/os-quota-sets/" + beta.id() + "/defaults", "2.36").json());

        JsonNode detail = get(alpha.client(), "/v2.1/os-quota-sets/" + alpha.id() + "/detail", "2.36").json();
        ApiSamples.assertMatches("compute/quota-set-detail-v2.36", detail);
        assertThat(detail.path("quota_set").path("instances").path("in_use").asInt()).isEqualTo(1);
        assertThat(detail.path("quota_set").path("cores").path("in_use").asInt()).isEqualTo(1);
        assertThat(detail.path("quota_set").path("ram").path("in_use").asInt()).isEqualTo(2048);
        assertThat(get(beta.client(), "/v2.1/os-quota-sets/" + alpha.id() + "/detail", "2.36").status()).isEqualTo(403);

        ObjectNode update = Json.object();
        update.putObject("quota_set").put("instances", 45);
        assertThat(put(alpha.client(), "/v2.1/os-quota-sets/" + alpha.id(), update, "2.36").status()).isEqualTo(403);
        ApiClient.Response updated = put(admin, "/v2.1/os-quota-sets/" + alpha.id(), update, "2.36");
        assertThat(updated.status()).as(updated.text()).isEqualTo(200);
        ApiSamples.assertMatches("compute/quota-set-update-v2.36", updated.json());
        assertThat(alpha.client().get("/v2.1/os-quota-sets/" + alpha.id()).json().path("quota_set").path("instances").asInt())
                .isEqualTo(45);

        ObjectNode belowUse = Json.object();
        belowUse.putObject("quota_set").put("instances", 0);
        ApiClient.Response refused = put(admin, "/v2.1/os-quota-sets/" + alpha.id(), belowUse, "2.36");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("badRequest").path("message").asText())
                .isEqualTo("Quota limit 0 for instances must be greater than or equal to already used and reserved 1.");
        ((ObjectNode) belowUse.path("quota_set")).put("force", true);
        assertThat(put(admin, "/v2.1/os-quota-sets/" + alpha.id(), belowUse, "2.36").status()).isEqualTo(200);

        ObjectNode network = Json.object();
        network.putObject("quota_set").put("floating_ips", 10);
        assertThat(put(admin, "/v2.1/os-quota-sets/" + beta.id(), network, "2.36").status()).isEqualTo(400);
        assertThat(put(admin, "/v2.1/os-quota-sets/" + beta.id(), network, "2.1").status()).isEqualTo(200);
        assertThat(admin.get("/v2.1/os-quota-sets/" + beta.id()).json().path("quota_set").path("floating_ips").asInt())
                .isEqualTo(10);
        for (Object bad : List.of(-2, "lots", 1.5)) {
            ObjectNode body = Json.object();
            body.putObject("quota_set").set("cores", Json.MAPPER.valueToTree(bad));
            assertThat(put(admin, "/v2.1/os-quota-sets/" + beta.id(), body, "2.36").status()).as("%s", bad).isEqualTo(400);
        }

        assertThat(alpha.client().delete("/v2.1/os-quota-sets/" + alpha.id()).status()).isEqualTo(403);
        assertThat(admin.delete("/v2.1/os-quota-sets/" + alpha.id()).status()).isEqualTo(202);
        assertThat(admin.delete("/v2.1/os-quota-sets/" + beta.id()).status()).isEqualTo(202);
        assertThat(alpha.client().get("/v2.1/os-quota-sets/" + alpha.id()).json().path("quota_set").path("instances").asInt())
                .isEqualTo(10);
    }

    @Test
    @Order(7)
    void limitsShowTheCallersProject() {
        ApiSamples.assertMatches("compute/limits-v2.1", beta.client().get("/v2.1/limits").json());
        ApiSamples.assertMatches("compute/limits-v2.36", get(beta.client(), "/v2.1/limits", "2.36").json());
        ApiSamples.assertMatches("compute/limits-v2.39", get(beta.client(), "/v2.1/limits", "2.53").json());

        JsonNode alphas = get(alpha.client(), "/v2.1/limits", "2.53").json().path("limits").path("absolute");
        assertThat(alphas.path("totalInstancesUsed").asInt()).isEqualTo(1);
        assertThat(alphas.path("totalCoresUsed").asInt()).isEqualTo(1);
        assertThat(alphas.path("totalRAMUsed").asInt()).isEqualTo(2048);

        ObjectNode update = Json.object();
        update.putObject("quota_set").put("cores", 7);
        assertThat(admin.put("/v2.1/os-quota-sets/" + alpha.id(), update).status()).isEqualTo(200);
        assertThat(alpha.client().get("/v2.1/limits").json().path("limits").path("absolute").path("maxTotalCores").asInt())
                .isEqualTo(7);
        assertThat(beta.client().get("/v2.1/limits?tenant_id=" + alpha.id()).status()).isEqualTo(403);
        JsonNode asAdmin = admin.get("/v2.1/limits?tenant_id=" + alpha.id()).json().path("limits").path("absolute");
        assertThat(asAdmin.path("maxTotalCores").asInt()).isEqualTo(7);
        assertThat(asAdmin.path("totalInstancesUsed").asInt()).isEqualTo(1);
        assertThat(admin.delete("/v2.1/os-quota-sets/" + alpha.id()).status()).isEqualTo(202);
    }

    @Test
    @Order(8)
    void servicesHostingServersAreNotDeleted() {
        JsonNode services = get(admin, "/v2.1/os-services", "2.53").json().path("services");
        String busy = null;
        String idle = null;
        String busyHost = cloud.settled(admin, serverId).path("OS-EXT-SRV-ATTR:host").asText();
        for (JsonNode s : services) {
            if (s.path("host").asText().equals(busyHost)) {
                busy = s.path("id").asText();
            } else {
                idle = s.path("id").asText();
            }
        }
        assertThat(busy).isNotNull();
        assertThat(idle).isNotNull();
        assertThat(alpha.client().delete("/v2.1/os-services/" + idle).status()).isEqualTo(403);
        ApiClient.Response conflict = get(admin, "/v2.1/os-services", "2.53");
        assertThat(conflict.status()).isEqualTo(200);
        ApiClient.Response hosting = admin.send("DELETE", "/v2.1/os-services/" + busy, null, "OpenStack-API-Version",
                "compute 2.53");
        assertThat(hosting.status()).isEqualTo(409);
        assertThat(hosting.json().path("conflictingRequest").path("message").asText()).isEqualTo(
                "Unable to delete compute service that is hosting instances. Migrate or delete the instances first.");
        assertThat(admin.send("DELETE", "/v2.1/os-services/not-a-uuid", null, "OpenStack-API-Version", "compute 2.53")
                .status()).isEqualTo(400);
        assertThat(admin.send("DELETE", "/v2.1/os-services/" + idle, null, "OpenStack-API-Version", "compute 2.53")
                .status()).isEqualTo(204);
        ApiClient.Response again = admin.send("DELETE", "/v2.1/os-services/" + idle, null, "OpenStack-API-Version",
                "compute 2.53");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().path("itemNotFound").path("message").asText()).isEqualTo("Service " + idle + " not found.");
    }
}
