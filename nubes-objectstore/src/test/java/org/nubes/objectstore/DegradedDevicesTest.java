package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.nubes.objectstore.ObjectStoreTestServer.Client;

/** The whole API with devices that fail: writes need a quorum, reads any good replica. */
class DegradedDevicesTest {
    @Test
    void aBrokenDeviceDoesNotStopWritesOrReads() throws Exception {
        try (ObjectStoreTestServer server = new ObjectStoreTestServer()) {
            Client client = server.project("degraded", "member");
            assertThat(client.put("/c", null).statusCode()).isEqualTo(201);
            // d1 is a regular file: nothing can be stored on it (even as root).
            Path d1 = server.devicesDir().resolve("d1");
            Files.createDirectories(server.devicesDir());
            Files.writeString(d1, "broken");
            assertThat(client.put("/c/o", "two replicas".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);
            assertThat(new String(client.get("/c/o").body(), StandardCharsets.UTF_8)).isEqualTo("two replicas");
            assertThat(client.head("/c").headers().firstValue("X-Container-Object-Count")).hasValue("1");

            // One of the two replicas disappears: the other one answers.
            try (Stream<Path> files = Files.walk(server.devicesDir())) {
                Path replica = files.filter(p -> p.toString().endsWith(".data")).findFirst().orElseThrow();
                Files.delete(replica);
            }
            assertThat(new String(client.get("/c/o").body(), StandardCharsets.UTF_8)).isEqualTo("two replicas");

            // A second broken device: no quorum, 503, and the listing does not change.
            Files.delete(d1);
            Files.walk(server.devicesDir().resolve("d2")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            Files.writeString(server.devicesDir().resolve("d2"), "broken");
            Files.writeString(d1, "broken");
            var unavailable = client.put("/c/p", "x".getBytes(StandardCharsets.UTF_8));
            assertThat(unavailable.statusCode()).isEqualTo(503);
            assertThat(new String(unavailable.body(), StandardCharsets.UTF_8)).startsWith("<html><h1>Service Unavailable</h1>");
            assertThat(client.head("/c").headers().firstValue("X-Container-Object-Count")).hasValue("1");
        }
    }
}
