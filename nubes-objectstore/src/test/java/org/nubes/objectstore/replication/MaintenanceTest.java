package org.nubes.objectstore.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nubes.objectstore.ObjectStoreConfig;
import org.nubes.objectstore.disk.ObjectMeta;
import org.nubes.objectstore.disk.Replicas;
import org.nubes.objectstore.disk.Timestamp;
import org.nubes.objectstore.ring.Device;
import org.nubes.objectstore.ring.HashPath;
import org.nubes.objectstore.ring.Ring;

/** The periodic passes and the configuration keys they read. */
class MaintenanceTest {
    @TempDir
    Path dir;

    @Test
    void theReplicationKeysDefaultWhenAbsent() {
        Map<String, String> values = new java.util.HashMap<>();
        ObjectStoreConfig.SETTINGS.stream().filter(s -> !s.key().matches(".*(interval|reclaim_age|tmp_max_age)"))
                .forEach(s -> values.put(s.key(), s.defaultValue()));
        values.put("data_dir", "/var/nubes");
        ObjectStoreConfig defaults = ObjectStoreConfig.from(values::get);
        assertThat(defaults.replicationInterval()).isEqualTo(30);
        assertThat(defaults.auditInterval()).isEqualTo(300);
        assertThat(defaults.reclaimAge()).isEqualTo(604800);
        assertThat(defaults.tmpMaxAge()).isEqualTo(3600);

        values.put("objectstore.replication_interval", "5");
        values.put("objectstore.audit_interval", "0");
        values.put("objectstore.reclaim_age", "60");
        values.put("objectstore.tmp_max_age", "120");
        ObjectStoreConfig set = ObjectStoreConfig.from(values::get);
        assertThat(set.replicationInterval()).isEqualTo(5);
        assertThat(set.auditInterval()).isZero();
        assertThat(set.reclaimAge()).isEqualTo(60);
        assertThat(set.tmpMaxAge()).isEqualTo(120);
    }

    @Test
    @Timeout(120)
    void theReplicatorRunsPeriodically() throws Exception {
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            devices.add(new Device(i, i + 1, 100, dir.resolve("d" + i)));
        }
        Ring ring = new Ring(devices, 3, 4, new HashPath("p", "s"));
        Replicas replicas = new Replicas(ring);
        byte[] data = "periodic".getBytes(StandardCharsets.UTF_8);
        try (Replicas.Upload upload = replicas.upload(ring.locate("AUTH_a", "c", "o"))) {
            upload.write(data, 0, data.length);
            assertThat(upload.commit(new ObjectMeta(Timestamp.now().toString(), data.length, upload.etag(), "text/plain", Map.of())))
                    .isEqualTo(3);
        }
        Path lost;
        try (Stream<Path> files = Files.walk(dir)) {
            lost = files.filter(p -> p.toString().endsWith(".data")).findFirst().orElseThrow();
        }
        Files.delete(lost);

        ObjectStoreConfig config = new ObjectStoreConfig(0, dir, 3, 4, 3, 1 << 20, 100, 1, 1, 0, 604800, 3600);
        try (Maintenance maintenance = new Maintenance(config, ring)) {
            maintenance.start();
            while (!Files.exists(lost)) {
                Thread.sleep(100);
            }
        }
        assertThat(Files.readAllBytes(lost)).isEqualTo(data);
    }
}
