package org.nubes.objectstore.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RingTest {
    private static final HashPath SECRET = new HashPath("prefix", "suffix");

    private static List<Device> devices(int count, int zones) {
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            devices.add(new Device(i, i % zones + 1, 100, Path.of("/d" + i)));
        }
        return devices;
    }

    @Test
    void everyPartitionHasDistinctDevicesInDistinctZones() {
        Ring ring = new Ring(devices(6, 3), 3, 8, SECRET);
        for (int p = 0; p < ring.partitions(); p++) {
            List<Device> replicas = ring.devicesOf(p);
            assertThat(replicas).hasSize(3).doesNotHaveDuplicates();
            assertThat(replicas.stream().map(Device::zone).distinct()).hasSize(3);
        }
    }

    @Test
    void partitionsAreSpreadByWeight() {
        List<Device> devices = devices(4, 4);
        devices.set(3, new Device(3, 4, 200, Path.of("/d3")));
        Ring ring = new Ring(devices, 2, 10, SECRET);
        Map<Integer, Integer> perDevice = new HashMap<>();
        for (int p = 0; p < ring.partitions(); p++) {
            ring.devicesOf(p).forEach(d -> perDevice.merge(d.id(), 1, Integer::sum));
        }
        // 2048 assignments over weights 1:1:1:2.
        assertThat(perDevice.get(0)).isBetween(405, 415);
        assertThat(perDevice.get(1)).isBetween(405, 415);
        assertThat(perDevice.get(2)).isBetween(405, 415);
        assertThat(perDevice.get(3)).isBetween(814, 824);
    }

    @Test
    void objectsSpreadOverPartitionsAndDevices() {
        Ring ring = new Ring(devices(3, 3), 3, 10, SECRET);
        Set<Integer> partitions = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            partitions.add(ring.locate("AUTH_p", "c", "object-" + i).partition());
        }
        // 5000 names over 1024 partitions leave few empty (expected about 7).
        assertThat(partitions.size()).isGreaterThan(990);
    }

    @Test
    void assignmentIsStable() {
        Ring a = new Ring(devices(5, 3), 3, 9, SECRET);
        Ring b = new Ring(devices(5, 3), 3, 9, SECRET);
        for (int p = 0; p < a.partitions(); p++) {
            assertThat(a.devicesOf(p)).isEqualTo(b.devicesOf(p));
        }
        assertThat(a.locate("AUTH_x", "c", "o")).isEqualTo(b.locate("AUTH_x", "c", "o"));
    }

    @Test
    void partitionIsTheTopBitsOfTheMd5OfThePath() {
        Ring ring = new Ring(devices(3, 3), 3, 10, new HashPath("", ""));
        Ring.Location location = ring.locate("a", "c", "o");
        assertThat(location.hash()).isEqualTo(md5("/a/c/o"));
        assertThat(location.partition()).isEqualTo((int) (Long.parseLong(location.hash().substring(0, 8), 16) >>> 22));
        assertThat(location.suffix()).isEqualTo(location.hash().substring(29));
    }

    @Test
    void theSecretChangesWhereObjectsGo() {
        Ring plain = new Ring(devices(3, 3), 3, 16, new HashPath("", ""));
        Ring salted = new Ring(devices(3, 3), 3, 16, SECRET);
        assertThat(plain.locate("a", "c", "o").hash()).isNotEqualTo(salted.locate("a", "c", "o").hash());
    }

    @Test
    void theSecretIsCreatedOnceAndKept(@TempDir Path dir) {
        HashPath first = HashPath.load(dir.resolve("hash_path"));
        HashPath second = HashPath.load(dir.resolve("hash_path"));
        assertThat(first).isEqualTo(second);
        assertThat(first.prefix()).hasSize(32).isNotEqualTo(first.suffix());
    }

    @Test
    void moreReplicasThanDevicesIsRefused() {
        assertThatThrownBy(() -> new Ring(devices(2, 2), 3, 4, SECRET)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String md5(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(text.getBytes()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
