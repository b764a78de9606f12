package org.nubes.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.network.NetworkTestServer.body;
import static org.nubes.network.NetworkTestServer.create;
import static org.nubes.network.NetworkTestServer.network;
import static org.nubes.network.NetworkTestServer.subnet;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;

/** RBAC sharing of networks, the bootstrap topology and auto-allocated topologies. */
class RbacAndTopologyTest {
    private static NetworkTestServer server;
    private static String adminProject;

    @BeforeAll
    static void start() {
        server = new NetworkTestServer();
        adminProject = create(server.admin(), "security-groups", "security_group", "name", "probe").path("project_id").asText();
        server.service().bootstrap(adminProject);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anRbacPolicySharesANetworkWithOneProject() {
        var owner = server.project("rbac-owner", "member");
        var target = server.project("rbac-target", "member");
        var stranger = server.project("rbac-stranger", "member");
        String net = network(owner.client(), "to-share");
        subnet(owner.client(), net, "10.50.0.0/24");
        assertThat(target.client().get("/v2.0/networks/" + net).status()).isEqualTo(404);

        ApiClient.Response made = owner.client().post("/v2.0/rbac-policies", body("rbac_policy", "object_type", "network",
                "object_id", net, "action", "access_as_shared", "target_tenant", target.id()));
        assertThat(made.status()).as(made.text()).isEqualTo(201);
        String policy = made.json().path("rbac_policy").path("id").asText();
        assertThat(owner.client().post("/v2.0/rbac-policies", body("rbac_policy", "object_type", "network", "object_id", net,
                "action", "access_as_shared", "target_tenant", target.id())).status()).isEqualTo(409);
        assertThat(owner.client().post("/v2.0/rbac-policies", body("rbac_policy", "object_type", "qos_policy", "object_id", net,
                "action", "access_as_shared", "target_tenant", target.id())).status()).isEqualTo(400);
        assertThat(stranger.client().post("/v2.0/rbac-policies", body("rbac_policy", "object_type", "network", "object_id", net,
                "action", "access_as_shared", "target_tenant", stranger.id())).status()).isEqualTo(404);

        assertThat(target.client().get("/v2.0/networks/" + net).status()).isEqualTo(200);
        assertThat(target.client().get("/v2.0/subnets?network_id=" + net).json().path("subnets")).hasSize(1);
        assertThat(target.client().get("/v2.0/rbac-policies/" + policy).status()).isEqualTo(200);
        assertThat(stranger.client().get("/v2.0/networks/" + net).status()).isEqualTo(404);
        JsonNode port = create(target.client(), "ports", "port", "network_id", net);
        assertThat(port.path("project_id").asText()).isEqualTo(target.id());

        assertThat(owner.client().delete("/v2.0/rbac-policies/" + policy).status()).isEqualTo(409);
        assertThat(target.client().delete("/v2.0/ports/" + port.path("id").asText()).status()).isEqualTo(204);
        assertThat(owner.client().delete("/v2.0/rbac-policies/" + policy).status()).isEqualTo(204);
        assertThat(target.client().get("/v2.0/networks/" + net).status()).isEqualTo(404);
    }

    @Test
    void aPolicyMayGoWhileAnotherStillSharesTheNetwork() {
        var owner = server.project("rbac-star-owner", "member");
        var target = server.project("rbac-star-target", "member");
        String net = network(owner.client(), "shared-twice");
        subnet(owner.client(), net, "10.51.0.0/24");
        String withTarget = create(owner.client(), "rbac-policies", "rbac_policy", "object_type", "network", "object_id", net,
                "action", "access_as_shared", "target_tenant", target.id()).path("id").asText();
        String withEveryone = create(server.admin(), "rbac-policies", "rbac_policy", "object_type", "network", "object_id", net,
                "action", "access_as_shared", "target_tenant", "*").path("id").asText();
        String port = create(target.client(), "ports", "port", "network_id", net).path("id").asText();

        assertThat(owner.client().delete("/v2.0/rbac-policies/" + withTarget).status()).as("'*' still shares it").isEqualTo(204);
        ApiClient.Response inUse = server.admin().delete("/v2.0/rbac-policies/" + withEveryone);
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.json().path("NeutronError").path("type").asText()).isEqualTo("RbacPolicyInUse");
        assertThat(target.client().get("/v2.0/ports/" + port).status()).isEqualTo(200);
        assertThat(target.client().delete("/v2.0/ports/" + port).status()).isEqualTo(204);
        assertThat(server.admin().delete("/v2.0/rbac-policies/" + withEveryone).status()).isEqualTo(204);
    }

    @Test
    void anExternalRbacPolicyLetsAProjectTakeFloatingIps() {
        var target = server.project("rbac-external", "member");
        String net = create(server.admin(), "networks", "network", "name", "ext-for-one").path("id").asText();
        subnet(server.admin(), net, "198.51.100.0/24");
        assertThat(target.client().post("/v2.0/floatingips", body("floatingip", "floating_network_id", net)).status())
                .isEqualTo(404);
        assertThat(server.admin().post("/v2.0/rbac-policies", body("rbac_policy", "object_type", "network", "object_id", net,
                "action", "access_as_external", "target_tenant", target.id())).status()).isEqualTo(201);
        assertThat(target.client().get("/v2.0/networks/" + net).status()).isEqualTo(200);
        ApiClient.Response fip = target.client().post("/v2.0/floatingips", body("floatingip", "floating_network_id", net));
        assertThat(fip.status()).as(fip.text()).isEqualTo(201);
        assertThat(fip.json().path("floatingip").path("floating_ip_address").asText()).startsWith("198.51.100.");
    }

    @Test
    void aSharedNetworkInUseByOthersStaysShared() {
        var user = server.project("shared-user", "member");
        String net = create(server.admin(), "networks", "network", "name", "was-shared", "shared", true).path("id").asText();
        String port = create(user.client(), "ports", "port", "network_id", net).path("id").asText();
        ApiClient.Response unshare = server.admin().put("/v2.0/networks/" + net, body("network", "shared", false));
        assertThat(unshare.status()).isEqualTo(409);
        assertThat(unshare.json().path("NeutronError").path("type").asText()).isEqualTo("InvalidSharedSetting");
        assertThat(user.client().delete("/v2.0/ports/" + port).status()).isEqualTo(204);
        assertThat(server.admin().put("/v2.0/networks/" + net, body("network", "shared", false)).status()).isEqualTo(200);
        assertThat(user.client().get("/v2.0/networks/" + net).status()).isEqualTo(404);
    }

    @Test
    void bootstrapMakesPublicPrivateAndRouter1Once() {
        server.service().bootstrap(adminProject);
        ApiClient admin = server.admin();
        JsonNode publicNets = admin.get("/v2.0/networks?name=public").json().path("networks");
        assertThat(publicNets).hasSize(1);
        assertThat(publicNets.get(0).path("router:external").asBoolean()).isTrue();
        assertThat(publicNets.get(0).path("shared").asBoolean()).isTrue();
        assertThat(admin.get("/v2.0/subnets?network_id=" + publicNets.get(0).path("id").asText()).json()
                .path("subnets").get(0).path("cidr").asText()).isEqualTo("203.0.113.0/24");
        assertThat(admin.get("/v2.0/networks?name=private").json().path("networks")).hasSize(1);
        assertThat(admin.get("/v2.0/subnets?name=private-subnet").json().path("subnets").get(0).path("cidr").asText())
                .isEqualTo("10.0.0.0/24");
        JsonNode routers = admin.get("/v2.0/routers?name=router1").json().path("routers");
        assertThat(routers).hasSize(1);
        assertThat(routers.get(0).path("external_gateway_info").path("network_id").asText())
                .isEqualTo(publicNets.get(0).path("id").asText());
        assertThat(admin.get("/v2.0/ports?device_owner=network:router_interface&device_id=" + routers.get(0).path("id").asText())
                .json().path("ports")).hasSize(1);
        ApiClient user = server.project("sees-public", "member").client();
        assertThat(user.get("/v2.0/networks").json().findValuesAsText("name")).contains("public").doesNotContain("private");
    }

    @Test
    void autoAllocatedTopologyIsMadeOnceAndAvoidsTheProjectsSubnets() {
        var p = server.project("auto", "member");
        String own = network(p.client(), "mine");
        subnet(p.client(), own, "10.0.0.0/24");
        ApiClient.Response first = p.client().get("/v2.0/auto-allocated-topology/" + p.id());
        assertThat(first.status()).as(first.text()).isEqualTo(200);
        String net = first.json().path("auto_allocated_topology").path("id").asText();
        assertThat(first.json().path("auto_allocated_topology").path("tenant_id").asText()).isEqualTo(p.id());
        assertThat(p.client().get("/v2.0/auto-allocated-topology/" + p.id()).json().path("auto_allocated_topology")
                .path("id").asText()).isEqualTo(net);
        assertThat(p.client().get("/v2.0/subnets?network_id=" + net).json().path("subnets").get(0).path("cidr").asText())
                .isEqualTo("10.0.1.0/24");
        assertThat(p.client().get("/v2.0/routers").json().path("routers")).hasSize(1);
        var other = server.project("auto-other", "member");
        assertThat(other.client().get("/v2.0/auto-allocated-topology/" + p.id()).status()).isEqualTo(403);
        assertThat(server.service().autoAllocatedNetwork(p.id())).isEqualTo(net);

        assertThat(p.client().get("/v2.0/auto-allocated-topology/" + p.id() + "?fields=dry-run").json()
                .path("auto_allocated_topology").path("dry-run").asText()).isEqualTo("pass");
        String port = create(p.client(), "ports", "port", "network_id", net).path("id").asText();
        assertThat(p.client().delete("/v2.0/auto-allocated-topology/" + p.id()).status()).isEqualTo(409);
        assertThat(p.client().get("/v2.0/routers").json().path("routers")).hasSize(1);
        assertThat(p.client().delete("/v2.0/ports/" + port).status()).isEqualTo(204);
        assertThat(p.client().delete("/v2.0/auto-allocated-topology/" + p.id()).status()).isEqualTo(204);
        assertThat(p.client().get("/v2.0/networks/" + net).status()).isEqualTo(404);
        assertThat(p.client().get("/v2.0/routers").json().path("routers")).isEmpty();
        assertThat(p.client().delete("/v2.0/auto-allocated-topology/" + p.id()).status()).isEqualTo(404);
    }

    @Test
    void onlyOneExternalNetworkIsTheDefault() {
        ApiClient admin = server.admin();
        assertThat(admin.get("/v2.0/networks?is_default=true").json().findValuesAsText("name")).containsExactly("public");
        assertThat(admin.post("/v2.0/networks", body("network", "router:external", true, "is_default", true)).status())
                .isEqualTo(409);
        assertThat(admin.post("/v2.0/networks", body("network", "is_default", true)).status()).isEqualTo(400);
        assertThat(server.project("not-admin", "member").client().post("/v2.0/networks",
                body("network", "is_default", false)).status()).isEqualTo(403);
    }
}
