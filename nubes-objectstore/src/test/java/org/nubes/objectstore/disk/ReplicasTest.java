package org.nubes.objectstore.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nubes.objectstore.ring.Device;
import org.nubes.objectstore.ring.HashPath;
import org.nubes.objectstore.ring.Ring;

class ReplicasTest {
    @TempDir
    Path dir;
    private Replicas replicas;
    private Ring.Location location;

    @BeforeEach
    void ring() {
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            devices.add(new Device(i, i + 1, 100, dir.resolve("d" + i)));
        }
        replicas = new Replicas(new Ring(devices, 3, 6, new HashPath("p", "s")));
        location = replicas.ring().locate("AUTH_a", "c", "o");
    }

    private int put(String content) {
        try (Replicas.Upload upload = replicas.upload(location)) {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            upload.write(data, 0, data.length);
            return upload.commit(new ObjectMeta(Timestamp.now().toString(), data.length, upload.etag(), "text/plain", Map.of("X-Object-Meta-K", "v")));
        }
    }

    private String read() throws IOException {
        try (Replicas.Opened opened = replicas.open(location).orElseThrow()) {
            try (InputStream in = opened.stream(0, opened.meta().contentLength())) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    private List<Path> files(String suffix) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    @Test
    void aPutStoresEveryReplicaAtomically() throws IOException {
        assertThat(put("hello")).isEqualTo(3);
        assertThat(files(".data")).hasSize(3);
        assertThat(files(".json")).hasSize(3);
        assertThat(files(".tmp")).isEmpty();
        assertThat(read()).isEqualTo("hello");
        assertThat(replicas.newest(location).orElseThrow().meta().metadata()).containsEntry("X-Object-Meta-K", "v");
        Path data = files(".data").getFirst();
        // objects/<partition>/<suffix>/<hash>/<timestamp>.data
        assertThat(data.getParent().getFileName().toString()).isEqualTo(location.hash());
        assertThat(data.getParent().getParent().getFileName().toString()).isEqualTo(location.suffix());
        assertThat(data.getParent().getParent().getParent().getFileName().toString()).isEqualTo(Integer.toString(location.partition()));
    }

    @Test
    void aWriteThatNeverCommitsLeavesNothingVisible() throws IOException {
        Replicas.Upload upload = replicas.upload(location);
        byte[] data = "half".getBytes(StandardCharsets.UTF_8);
        upload.write(data, 0, data.length);
        // A crash here: the temporary files exist, the object does not.
        assertThat(files(".tmp")).hasSize(3);
        assertThat(replicas.open(location)).isEmpty();
        assertThat(replicas.newest(location)).isEmpty();
        upload.close();
        assertThat(files(".tmp")).isEmpty();
    }

    @Test
    void aPutSucceedsOnAQuorumWhenOneDeviceIsBroken() throws IOException {
        // A regular file where a device directory should be: nothing can be written there (even as root).
        Files.writeString(dir.resolve("d1"), "not a directory");
        assertThat(put("two of three")).isEqualTo(2).isGreaterThanOrEqualTo(replicas.ring().quorum());
        assertThat(read()).isEqualTo("two of three");
    }

    @Test
    void twoBrokenDevicesMissTheQuorum() throws IOException {
        Files.writeString(dir.resolve("d1"), "x");
        Files.writeString(dir.resolve("d2"), "x");
        assertThat(put("one")).isEqualTo(1).isLessThan(replicas.ring().quorum());
    }

    @Test
    void aReadFallsBackWhenAReplicaIsMissingOrUnreadable() throws IOException {
        put("resilient");
        List<Path> data = files(".data");
        Files.delete(data.get(0));
        assertThat(read()).isEqualTo("resilient");
        // Another replica's metadata is corrupt: the third answers.
        try (Stream<Path> siblings = Files.list(data.get(1).getParent())) {
            for (Path json : siblings.filter(p -> p.toString().endsWith(".json")).toList()) {
                Files.writeString(json, "{not json");
            }
        }
        assertThat(read()).isEqualTo("resilient");
    }

    @Test
    void theNewestTimestampWinsAndOldFilesGo() throws IOException {
        put("first");
        put("second");
        assertThat(read()).isEqualTo("second");
        assertThat(files(".data")).hasSize(3);
        assertThat(replicas.delete(location, Timestamp.now())).isEqualTo(3);
        assertThat(replicas.open(location)).isEmpty();
        assertThat(files(".data")).isEmpty();
        assertThat(files(".ts")).hasSize(3);
        put("third");
        assertThat(read()).isEqualTo("third");
        assertThat(files(".ts")).isEmpty();
    }

    @Test
    void aStaleReplicaLosesToTheNewerOnes() throws IOException {
        put("old");
        // d0 misses the second write (broken for a moment), so it still holds the old version.
        Path d0 = dir.resolve("d0");
        Files.move(d0, dir.resolve("d0-saved"));
        Files.writeString(d0, "broken");
        put("new");
        Files.delete(d0);
        Files.move(dir.resolve("d0-saved"), d0);
        assertThat(replicas.states(location)).hasSize(3);
        assertThat(read()).isEqualTo("new");
    }

    @Test
    void aPostOverlaysMetadata() {
        put("data");
        assertThat(replicas.post(location, Timestamp.now(), "application/x-new", Map.of("X-Object-Meta-New", "1"))).isEqualTo(3);
        ObjectMeta meta = replicas.newest(location).orElseThrow().meta();
        assertThat(meta.contentType()).isEqualTo("application/x-new");
        assertThat(meta.metadata()).containsExactly(Map.entry("X-Object-Meta-New", "1"));
        assertThat(meta.contentLength()).isEqualTo(4);
    }

    @Test
    void timestampsSortAsTextInTimeOrder() {
        Timestamp a = Timestamp.now();
        Timestamp b = Timestamp.now();
        assertThat(a.toString()).matches("\\d{10}\\.\\d{5}");
        assertThat(a.toString().compareTo(b.toString())).isLessThan(0);
        assertThat(Timestamp.parse(a.toString())).isEqualTo(a);
    }
}
