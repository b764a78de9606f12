package org.nubes.network.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nubes.core.config.DatabaseConfig;
import org.nubes.core.db.Database;
import org.nubes.core.json.Json;
import org.nubes.core.testing.TestDatabases;
import org.nubes.network.service.Caller;
import org.nubes.network.service.NeutronError;
import org.nubes.network.service.Networks;
import org.nubes.network.service.Ports;
import org.nubes.network.service.Quotas;
import org.nubes.network.service.Resources;
import org.nubes.network.service.SecurityGroups;
import org.nubes.network.service.Subnets;

/**
 * IPAM on the embedded H2 and on PostgreSQL: ports created at once by many projects on one
 * shared network never share an address or a MAC, and a full pool is a clean 409.
 */
class IpamStoreTest {
    private static final int THREADS = 16;

    private Database database;

    static Stream<Named<DatabaseConfig>> databases() {
        return TestDatabases.named();
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    private record Services(Resources resources, Networks networks, Subnets subnets, Ports ports) {}

    private Services open(DatabaseConfig config) {
        database = Database.open(new DatabaseConfig(config.url(), config.user(), config.password(), THREADS + 2));
        database.migrate("network");
        Resources resources = new Resources(database.jdbi(), new ResourceStore());
        Quotas quotas = new Quotas(resources);
        Networks networks = new Networks(resources, quotas);
        SecurityGroups groups = new SecurityGroups(resources, quotas);
        return new Services(resources, networks, new Subnets(resources, quotas), new Ports(resources, quotas, networks, groups));
    }

    private static JsonNode request(String resource, ObjectNode attributes) {
        ObjectNode request = Json.object();
        request.set(resource, attributes);
        return request;
    }

    private static String sharedNetwork(Services s, Caller admin, String cidr) {
        String net = s.resources().create(admin, s.networks(), request("network", Json.object().put("name", "n").put("shared", true)))
                .path("id").asText();
        s.resources().create(admin, s.subnets(), request("subnet", Json.object().put("network_id", net).put("cidr", cidr)));
        return net;
    }

    private static List<Future<JsonNode>> createPorts(Services s, String net, int count) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<JsonNode>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            for (int i = 0; i < count; i++) {
                Caller caller = new Caller("project-" + (i % THREADS), false);
                Callable<JsonNode> create = () -> {
                    go.await();
                    return s.resources().create(caller, s.ports(), request("port", Json.object().put("network_id", net)));
                };
                results.add(pool.submit(create));
            }
            go.countDown();
        }
        return results;
    }

    @ParameterizedTest
    @MethodSource("databases")
    void concurrentPortsGetDistinctAddressesAndMacs(DatabaseConfig config) throws Exception {
        Services s = open(config);
        String net = sharedNetwork(s, new Caller("admin-project", true), "10.60.0.0/24");
        Set<String> addresses = new HashSet<>();
        Set<String> macs = new HashSet<>();
        for (Future<JsonNode> port : createPorts(s, net, 128)) {
            addresses.add(port.get().path("fixed_ips").get(0).path("ip_address").asText());
            macs.add(port.get().path("mac_address").asText());
        }
        assertThat(addresses).hasSize(128);
        assertThat(macs).hasSize(128);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void concurrentCreatesOfOneProjectStopAtItsQuota(DatabaseConfig config) throws Exception {
        Services s = open(config);
        String net = sharedNetwork(s, new Caller("admin-project", true), "10.62.0.0/24");
        s.resources().transaction(h -> {
            s.resources().store().setQuota(h, "project-0", "port", 5);
            return null;
        });
        Caller caller = new Caller("project-0", false);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<JsonNode>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            for (int i = 0; i < THREADS; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return s.resources().create(caller, s.ports(), request("port", Json.object().put("network_id", net)));
                }));
            }
            go.countDown();
        }
        int created = 0;
        for (Future<JsonNode> result : results) {
            try {
                result.get();
                created++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(((NeutronError) e.getCause()).type()).isEqualTo("OverQuota");
            }
        }
        assertThat(created).isEqualTo(5);
        int groups = s.resources().transaction(h -> s.resources().store().count(h, "security_group", "project-0"));
        assertThat(groups).as("one default security group, however many first ports raced").isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void ofConcurrentOverlappingSubnetsOneIsMade(DatabaseConfig config) throws Exception {
        Services s = open(config);
        Caller admin = new Caller("admin-project", true);
        String net = s.resources().create(admin, s.networks(), request("network", Json.object().put("name", "n"))).path("id").asText();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<JsonNode>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            for (int i = 0; i < THREADS; i++) {
                String cidr = i % 2 == 0 ? "10.63.0.0/24" : "10.63.0.0/16";
                results.add(pool.submit(() -> {
                    go.await();
                    return s.resources().create(admin, s.subnets(), request("subnet", Json.object().put("network_id", net)
                            .put("cidr", cidr)));
                }));
            }
            go.countDown();
        }
        int made = 0;
        for (Future<JsonNode> result : results) {
            try {
                result.get();
                made++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(((NeutronError) e.getCause()).type()).isEqualTo("InvalidInput");
            }
        }
        assertThat(made).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aPoolFilledConcurrentlyGivesOutEachAddressOnceThen409(DatabaseConfig config) throws Exception {
        Services s = open(config);
        String net = sharedNetwork(s, new Caller("admin-project", true), "10.61.0.0/27");
        Set<String> addresses = new HashSet<>();
        int failures = 0;
        for (Future<JsonNode> port : createPorts(s, net, 40)) {
            try {
                assertThat(addresses.add(port.get().path("fixed_ips").get(0).path("ip_address").asText())).isTrue();
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(NeutronError.class);
                assertThat(((NeutronError) e.getCause()).type()).isEqualTo("IpAddressGenerationFailure");
                failures++;
            }
        }
        assertThat(addresses).hasSize(29);
        assertThat(failures).isEqualTo(11);
        assertThatThrownBy(() -> s.resources().create(new Caller("p", false), s.ports(),
                request("port", Json.object().put("network_id", net)))).isInstanceOf(NeutronError.class);
    }
}
