package org.nubes.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.network.NetworkTestServer.body;
import static org.nubes.network.NetworkTestServer.create;
import static org.nubes.network.NetworkTestServer.network;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.testing.ApiClient;

/** Security groups: the default group and its rules, rule validation, duplicates, and deletion rules. */
class SecurityGroupApiTest {
    private static NetworkTestServer server;

    @BeforeAll
    static void start() {
        server = new NetworkTestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String error(ApiClient.Response r) {
        return r.status() + " " + r.json().path("NeutronError").path("type").asText() + " "
                + r.json().path("NeutronError").path("message").asText();
    }

    private static ApiClient.Response rule(ApiClient client, String group, Object... pairs) {
        Object[] all = new Object[pairs.length + 2];
        all[0] = "security_group_id";
        all[1] = group;
        System.arraycopy(pairs, 0, all, 2, pairs.length);
        return client.post("/v2.0/security-group-rules", body("security_group_rule", all));
    }

    @Test
    void theDefaultGroupIsMadeOnFirstUseWithNeutronsRules() {
        ApiClient client = server.project("sg-default", "member").client();
        JsonNode groups = client.get("/v2.0/security-groups").json().path("security_groups");
        assertThat(groups).hasSize(1);
        JsonNode group = groups.get(0);
        assertThat(group.path("name").asText()).isEqualTo("default");
        String id = group.path("id").asText();
        JsonNode rules = group.path("security_group_rules");
        assertThat(rules).hasSize(4);
        assertThat(rules.findValuesAsText("direction")).containsExactlyInAnyOrder("egress", "egress", "ingress", "ingress");
        for (JsonNode rule : rules) {
            if (rule.path("direction").asText().equals("ingress")) {
                assertThat(rule.path("remote_group_id").asText()).isEqualTo(id);
            } else {
                assertThat(rule.path("remote_group_id").isNull()).isTrue();
            }
            assertThat(rule.path("protocol").isNull()).isTrue();
        }
        assertThat(client.get("/v2.0/security-groups").json().path("security_groups")).hasSize(1);
        assertThat(error(client.delete("/v2.0/security-groups/" + id))).startsWith("409 SecurityGroupCannotRemoveDefault");
        assertThat(error(client.post("/v2.0/security-groups", body("security_group", "name", "default")))).startsWith("409");
    }

    @Test
    void rulesAreCheckedAndDuplicatesRefused() {
        ApiClient client = server.project("sg-rules", "member").client();
        JsonNode group = create(client, "security-groups", "security_group", "name", "web", "description", "w");
        String id = group.path("id").asText();
        assertThat(group.path("security_group_rules")).hasSize(2);

        ApiClient.Response ssh = rule(client, id, "direction", "ingress", "protocol", "tcp", "port_range_min", 22,
                "port_range_max", 22, "remote_ip_prefix", "0.0.0.0/0");
        assertThat(ssh.status()).as(ssh.text()).isEqualTo(201);
        String sshId = ssh.json().path("security_group_rule").path("id").asText();
        assertThat(ssh.json().path("security_group_rule").path("ethertype").asText()).isEqualTo("IPv4");
        assertThat(error(rule(client, id, "direction", "ingress", "protocol", "6", "port_range_min", 22, "port_range_max", 22,
                "remote_ip_prefix", "0.0.0.0/0"))).isEqualTo("409 SecurityGroupRuleExists Security group rule already exists. Rule id is " + sshId + ".");
        assertThat(rule(client, id, "direction", "ingress", "protocol", "icmp", "port_range_min", 8, "port_range_max", 0).status())
                .isEqualTo(201);
        assertThat(rule(client, id, "direction", "ingress", "protocol", "112").status()).isEqualTo(201);
        assertThat(rule(client, id, "direction", "ingress", "ethertype", "IPv6", "remote_ip_prefix", "2001:db8::/32").status())
                .isEqualTo(201);

        assertThat(error(rule(client, id, "direction", "sideways"))).startsWith("400");
        assertThat(error(rule(client, id, "direction", "ingress", "ethertype", "IPv5"))).startsWith("400");
        assertThat(error(rule(client, id, "direction", "ingress", "protocol", "tcp", "port_range_min", 80, "port_range_max", 22)))
                .startsWith("400 SecurityGroupInvalidPortRange");
        assertThat(error(rule(client, id, "direction", "ingress", "protocol", "tcp", "port_range_min", 70000, "port_range_max", 70000)))
                .startsWith("400");
        assertThat(error(rule(client, id, "direction", "ingress", "port_range_min", 80, "port_range_max", 80)))
                .startsWith("400 SecurityGroupProtocolRequiredWithPorts");
        assertThat(error(rule(client, id, "direction", "ingress", "protocol", "gre", "port_range_min", 80, "port_range_max", 80)))
                .startsWith("400");
        assertThat(error(rule(client, id, "direction", "ingress", "protocol", "bogus"))).startsWith("400 SecurityGroupRuleInvalidProtocol");
        assertThat(error(rule(client, id, "direction", "ingress", "remote_ip_prefix", "10.0.0.0/8", "remote_group_id", id)))
                .startsWith("400 SecurityGroupRemoteGroupAndRemoteIpPrefix");
        assertThat(error(rule(client, id, "direction", "ingress", "ethertype", "IPv6", "remote_ip_prefix", "10.0.0.0/8")))
                .startsWith("400");
        assertThat(error(rule(client, id, "direction", "ingress", "remote_group_id", "missing"))).startsWith("404 SecurityGroupNotFound");
        assertThat(error(rule(client, "missing", "direction", "ingress"))).startsWith("404 SecurityGroupNotFound");

        assertThat(client.get("/v2.0/security-group-rules/" + sshId).status()).isEqualTo(200);
        long revision = client.get("/v2.0/security-groups/" + id).json().path("security_group").path("revision_number").asLong();
        assertThat(revision).as("each rule made revises its group").isEqualTo(4);
        assertThat(client.delete("/v2.0/security-group-rules/" + sshId).status()).isEqualTo(204);
        assertThat(client.get("/v2.0/security-groups/" + id).json().path("security_group").path("revision_number").asLong())
                .as("and so does a rule deleted").isEqualTo(revision + 1);
        assertThat(client.get("/v2.0/security-group-rules/" + sshId).status()).isEqualTo(404);
        assertThat(client.get("/v2.0/security-group-rules?security_group_id=" + id).json().path("security_group_rules")).hasSize(5);
        ApiClient other = server.project("sg-rules-other", "member").client();
        assertThat(other.get("/v2.0/security-groups/" + id).status()).isEqualTo(404);
        assertThat(rule(other, id, "direction", "ingress").status()).isEqualTo(404);
    }

    @Test
    void aGroupInUseStays() {
        ApiClient client = server.project("sg-use", "member").client();
        String group = create(client, "security-groups", "security_group", "name", "app").path("id").asText();
        String net = network(client, "sg-net");
        String port = create(client, "ports", "port", "network_id", net, "security_groups", List.of(group)).path("id").asText();
        assertThat(error(client.delete("/v2.0/security-groups/" + group))).startsWith("409 SecurityGroupInUse");
        assertThat(client.put("/v2.0/security-groups/" + group, body("security_group", "name", "app2")).status()).isEqualTo(200);
        assertThat(client.delete("/v2.0/ports/" + port).status()).isEqualTo(204);
        assertThat(client.delete("/v2.0/security-groups/" + group).status()).isEqualTo(204);
        assertThat(client.get("/v2.0/security-group-rules").json().path("security_group_rules")).hasSize(4);
    }
}
