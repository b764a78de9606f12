package org.nubes.network.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nubes.core.client.NetworkClient;
import org.nubes.core.db.Database;
import org.nubes.core.json.Json;
import org.nubes.core.testing.TestDatabases;
import org.nubes.network.driver.NetworkDriver;
import org.nubes.network.driver.NetworkSpec;
import org.nubes.network.driver.PortSecurity;
import org.nubes.network.driver.PortSpec;
import org.nubes.network.driver.Route;
import org.nubes.network.service.Caller;
import org.nubes.network.service.Collection;
import org.nubes.network.service.Networks;
import org.nubes.network.service.Ports;
import org.nubes.network.service.Quotas;
import org.nubes.network.service.Resources;
import org.nubes.network.service.Routers;
import org.nubes.network.service.SecurityGroupRules;
import org.nubes.network.service.SecurityGroups;
import org.nubes.network.service.Subnets;
import org.nubes.network.store.ResourceStore;

/** What the dataplane asks of the driver after API changes, seen through a driver that records the calls. */
class DataplaneTest {
    private final Caller admin = new Caller("project-1", true);
    private final Recorder driver = new Recorder();
    private Database database;
    private Resources resources;
    private Networks networks;
    private Subnets subnets;
    private Ports ports;
    private SecurityGroups groups;
    private SecurityGroupRules rules;
    private Routers routers;

    @BeforeEach
    void open() {
        database = Database.open(TestDatabases.h2());
        database.migrate("network");
        resources = new Resources(database.jdbi(), new ResourceStore());
        Dataplane dataplane = new Dataplane(resources, driver);
        resources.onCommit(dataplane::changed);
        Quotas quotas = new Quotas(resources);
        networks = new Networks(resources, quotas);
        subnets = new Subnets(resources, quotas);
        groups = new SecurityGroups(resources, quotas);
        rules = new SecurityGroupRules(resources, quotas, groups);
        ports = new Ports(resources, quotas, networks, groups);
        routers = new Routers(resources, quotas, networks, ports);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aRuleDeletedNoLongerReachesThePortsOfItsGroup() {
        String net = create(networks, "network", Json.object().put("name", "n"));
        create(subnets, "subnet", Json.object().put("network_id", net).put("cidr", "10.1.0.0/24"));
        String group = create(groups, "security_group", Json.object().put("name", "web"));
        String rule = create(rules, "security_group_rule", Json.object().put("security_group_id", group)
                .put("direction", "ingress").put("protocol", "tcp").put("port_range_min", 8080).put("port_range_max", 8080));
        ObjectNode port = Json.object().put("network_id", net).put("binding:host_id", "host-1");
        port.putArray("security_groups").add(group);
        port.putObject("binding:profile").put(NetworkClient.PROFILE_NETNS, "/run/netns/server-1");
        String portId = create(ports, "port", port);
        assertThat(driver.security.get(portId).rules()).anyMatch(r -> Integer.valueOf(8080).equals(r.portRangeMin()));

        resources.delete(admin, rules, rule);
        assertThat(driver.security.get(portId).rules()).noneMatch(r -> Integer.valueOf(8080).equals(r.portRangeMin()));
    }

    @Test
    void aRouterIsSetUpOnceAndThenOnlyChanged() {
        String router = create(routers, "router", Json.object().put("name", "r"));
        for (String cidr : List.of("10.2.0.0/24", "10.3.0.0/24")) {
            String net = create(networks, "network", Json.object().put("name", cidr));
            String subnet = create(subnets, "subnet", Json.object().put("network_id", net).put("cidr", cidr));
            routers.addInterface(admin, router, Json.object().put("subnet_id", subnet));
        }
        assertThat(driver.calls).filteredOn(call -> call.startsWith("addRouterInterface")).hasSize(2);
        assertThat(driver.calls).filteredOn(call -> call.startsWith("ensureRouter")).containsExactly("ensureRouter " + router);
    }

    private String create(Collection collection, String resource, ObjectNode attributes) {
        ObjectNode request = Json.object();
        request.set(resource, attributes);
        JsonNode created = resources.create(admin, collection, request);
        return created.path("id").asText();
    }

    /** Keeps what the dataplane asked for. */
    private static final class Recorder implements NetworkDriver {
        final Map<String, PortSecurity> security = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public void ensureNetwork(NetworkSpec network) {
            calls.add("ensureNetwork " + network.id());
        }

        @Override
        public void deleteNetwork(String networkId) {
            calls.add("deleteNetwork " + networkId);
        }

        @Override
        public void plugPort(PortSpec port, Path serverNetns, String deviceName) {
            calls.add("plugPort " + port.id());
        }

        @Override
        public void unplugPort(String portId) {
            calls.add("unplugPort " + portId);
        }

        @Override
        public void applyPortSecurity(PortSecurity portSecurity) {
            calls.add("applyPortSecurity " + portSecurity.portId());
            security.put(portSecurity.portId(), portSecurity);
        }

        @Override
        public void setGroupMembers(String groupId, List<String> addresses) {
            calls.add("setGroupMembers " + groupId);
        }

        @Override
        public void ensureRouter(String routerId) {
            calls.add("ensureRouter " + routerId);
        }

        @Override
        public void deleteRouter(String routerId) {
            calls.add("deleteRouter " + routerId);
        }

        @Override
        public void addRouterInterface(String routerId, PortSpec port) {
            calls.add("addRouterInterface " + routerId);
        }

        @Override
        public void removeRouterInterface(String routerId, String portId) {
            calls.add("removeRouterInterface " + routerId);
        }

        @Override
        public void setRouterGateway(String routerId, PortSpec gatewayPort, boolean enableSnat) {
            calls.add("setRouterGateway " + routerId);
        }

        @Override
        public void clearRouterGateway(String routerId) {
            calls.add("clearRouterGateway " + routerId);
        }

        @Override
        public void setRoutes(String routerId, List<Route> routes) {
            calls.add("setRoutes " + routerId);
        }

        @Override
        public void associateFloatingIp(String routerId, String floatingIp, String fixedIp) {
            calls.add("associateFloatingIp " + routerId);
        }

        @Override
        public void disassociateFloatingIp(String routerId, String floatingIp) {
            calls.add("disassociateFloatingIp " + routerId);
        }

        @Override
        public void destroyAll() {}

        @Override
        public void close() {}
    }
}
