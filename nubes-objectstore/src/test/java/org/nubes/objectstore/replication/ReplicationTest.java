package org.nubes.objectstore.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.nubes.objectstore.ObjectStoreTestServer;
import org.nubes.objectstore.ObjectStoreTestServer.Client;
import org.nubes.objectstore.ring.Device;

/** Replication, audit and temporary file removal over the whole service, passes run on demand. */
class ReplicationTest {
    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** The files with this ending under the devices directory, sorted by path. */
    private static List<Path> files(Path dir, String ending) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(ending)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The live object files (not quarantined) with this ending. */
    private static List<Path> objectFiles(Path devicesDir, String ending) {
        List<Path> result = new ArrayList<>();
        for (Path file : files(devicesDir, ending)) {
            if (devicesDir.relativize(file).getName(1).toString().equals("objects")) {
                result.add(file);
            }
        }
        return result;
    }

    @Test
    void aMissingReplicaIsCopiedBack() throws Exception {
        try (ObjectStoreTestServer server = new ObjectStoreTestServer()) {
            Client client = server.project("missing", "member");
            assertThat(client.put("/c", null).statusCode()).isEqualTo(201);
            byte[] body = random(300_000, 1);
            assertThat(client.put("/c/o", body).statusCode()).isEqualTo(201);
            List<Path> replicas = objectFiles(server.devicesDir(), ".data");
            assertThat(replicas).hasSize(3);
            Path lost = replicas.get(1);
            Files.delete(lost);

            assertThat(client.get("/c/o").body()).isEqualTo(body);
            Replicator.Result result = server.service().maintenance().replicate();
            assertThat(result.copied()).isEqualTo(1);
            assertThat(result.failures()).isZero();
            assertThat(lost).exists();
            assertThat(Files.readAllBytes(lost)).isEqualTo(body);
            assertThat(objectFiles(server.devicesDir(), ".json")).hasSize(3);
            assertThat(server.service().maintenance().replicate().copied()).isZero();  // nothing left to do
        }
    }

    @Test
    void aCorruptReplicaIsQuarantinedAndReplaced() throws Exception {
        try (ObjectStoreTestServer server = new ObjectStoreTestServer()) {
            Client client = server.project("corrupt", "member");
            assertThat(client.put("/c", null).statusCode()).isEqualTo(201);
            byte[] body = random(200_000, 2);
            assertThat(client.put("/c/o", body).statusCode()).isEqualTo(201);
            assertThat(server.service().maintenance().audit().quarantined()).isZero();

            List<Path> replicas = objectFiles(server.devicesDir(), ".data");
            Path corrupt = replicas.getFirst();
            byte[] bytes = Files.readAllBytes(corrupt);
            bytes[12345] ^= 0x01;
            Files.write(corrupt, bytes);

            Auditor.Result audit = server.service().maintenance().audit();
            assertThat(audit.checked()).isEqualTo(3);
            assertThat(audit.quarantined()).isEqualTo(1);
            assertThat(corrupt).doesNotExist();
            Path device = server.devicesDir().resolve(server.devicesDir().relativize(corrupt).getName(0));
            Path quarantined = Auditor.quarantineDir(new Device(0, 0, 1, device)).resolve(corrupt.getParent().getFileName())
                    .resolve(corrupt.getFileName());
            assertThat(Files.readAllBytes(quarantined)).isEqualTo(bytes);

            // Reads use the good replicas, several times over (whichever replica answers).
            for (int i = 0; i < 3; i++) {
                assertThat(client.get("/c/o").body()).isEqualTo(body);
            }
            assertThat(server.service().maintenance().replicate().copied()).isEqualTo(1);
            assertThat(Files.readAllBytes(corrupt)).isEqualTo(body);
            assertThat(server.service().maintenance().audit().quarantined()).isZero();
        }
    }

    @Test
    void aCorruptReplicaIsNeverCopied() throws Exception {
        try (ObjectStoreTestServer server = new ObjectStoreTestServer()) {
            Client client = server.project("nocopy", "member");
            assertThat(client.put("/c", null).statusCode()).isEqualTo(201);
            byte[] body = random(10_000, 3);
            assertThat(client.put("/c/o", body).statusCode()).isEqualTo(201);
            List<Path> replicas = objectFiles(server.devicesDir(), ".data");
            // Two replicas gone, the last one corrupt: replication must not spread it.
            Files.delete(replicas.get(0));
            Files.delete(replicas.get(1));
            Files.write(replicas.get(2), "bad".getBytes(StandardCharsets.UTF_8));
            Replicator.Result result = server.service().maintenance().replicate();
            assertThat(result.copied()).isZero();
            assertThat(result.failures()).isEqualTo(2);
            assertThat(replicas.get(0)).doesNotExist();
            assertThat(files(server.devicesDir(), ".tmp")).isEmpty();
        }
    }

    @Test
    void aTombstoneOnTwoOfThreeDevicesSpreadsAndRemovesTheStaleData() throws Exception {
        try (ObjectStoreTestServer server = new ObjectStoreTestServer()) {
            Client client = server.project("tomb", "member");
            assertThat(client.put("/c", null).statusCode()).isEqualTo(201);
            byte[] body = "to be deleted".getBytes(StandardCharsets.UTF_8);
            assertThat(client.put("/c/o", body).statusCode()).isEqualTo(201);
            List<Path> data = objectFiles(server.devicesDir(), ".data");
            assertThat(data).hasSize(3);
            // The third device misses the delete: it keeps its data and gets no tombstone.
            Path staleDir = data.get(2).getParent();
            Path backup = Files.createTempDirectory("stale");
            for (Path file : files(staleDir, "")) {
                if (Files.isRegularFile(file)) {
                    Files.copy(file, backup.resolve(file.getFileName()));
                }
            }
            assertThat(client.delete("/c/o").statusCode()).isEqualTo(204);
            for (Path file : files(staleDir, ".ts")) {
                Files.delete(file);
            }
            try (Stream<Path> saved = Files.list(backup)) {
                for (Path file : saved.toList()) {
                    Files.copy(file, staleDir.resolve(file.getFileName()));
                }
            }
            assertThat(objectFiles(server.devicesDir(), ".ts")).hasSize(2);
            assertThat(objectFiles(server.devicesDir(), ".data")).containsExactly(data.get(2));
            assertThat(client.get("/c/o").statusCode()).isEqualTo(404);

            Replicator.Result result = server.service().maintenance().replicate();
            assertThat(result.copied()).isEqualTo(1);
            assertThat(objectFiles(server.devicesDir(), ".ts")).hasSize(3);
            assertThat(objectFiles(server.devicesDir(), ".data")).isEmpty();
            assertThat(objectFiles(server.devicesDir(), ".json")).isEmpty();
            assertThat(client.get("/c/o").statusCode()).isEqualTo(404);

            // Past the reclaim age the tombstones go, with their directories.
            Replicator reclaiming = new Replicator(server.service().ring(), Duration.ZERO);
            assertThat(reclaiming.runOnce().reclaimed()).isEqualTo(3);
            assertThat(objectFiles(server.devicesDir(), ".ts")).isEmpty();
            for (Device device : server.service().ring().devices()) {
                assertThat(device.root().resolve("objects")).isEmptyDirectory();
            }
            try (Stream<Path> saved = Files.walk(backup)) {
                saved.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aNewerPostIsSpreadWithTheData() throws Exception {
        try (ObjectStoreTestServer server = new ObjectStoreTestServer()) {
            Client client = server.project("post", "member");
            assertThat(client.put("/c", null).statusCode()).isEqualTo(201);
            assertThat(client.put("/c/o", "x".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);
            assertThat(client.post("/c/o", "X-Object-Meta-Color", "blue").statusCode()).isEqualTo(202);
            List<Path> metas = objectFiles(server.devicesDir(), ".meta");
            assertThat(metas).hasSize(3);
            Path hashDir = metas.getFirst().getParent();
            try (Stream<Path> files = Files.list(hashDir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            server.service().maintenance().replicate();
            assertThat(objectFiles(server.devicesDir(), ".meta")).hasSize(3);
            assertThat(objectFiles(server.devicesDir(), ".data")).hasSize(3);
            assertThat(client.head("/c/o").headers().firstValue("X-Object-Meta-Color")).hasValue("blue");
        }
    }

    @Test
    void staleTemporaryFilesAreRemoved() throws Exception {
        try (ObjectStoreTestServer server = new ObjectStoreTestServer()) {
            Path tmp = server.devicesDir().resolve("d0").resolve("tmp");
            Files.createDirectories(tmp);
            Path stale = Files.writeString(tmp.resolve("stale.tmp"), "left by a crash");
            Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
            Path fresh = Files.writeString(tmp.resolve("fresh.tmp"), "an upload under way");
            server.service().maintenance().replicate();
            assertThat(stale).doesNotExist();
            assertThat(fresh).exists();
        }
    }
}
