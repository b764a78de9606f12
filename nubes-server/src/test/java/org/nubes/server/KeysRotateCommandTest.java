package org.nubes.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `nubes keys rotate` rotates the Fernet keys of a data directory the way keystone-manage does. */
class KeysRotateCommandTest {
    @Test
    void rotatePromotesTheStagedKeyAndKeepsAtMostThree() throws IOException {
        Path dataDir = Files.createTempDirectory("nubes-keys");
        try {
            Path keys = dataDir.resolve("fernet-keys");
            String staged = null;
            for (int i = 0; i < 4; i++) {
                if (Files.exists(keys.resolve("0"))) {
                    staged = Files.readString(keys.resolve("0"));
                }
                int exit = new CommandLine(new Nubes()).execute("keys", "rotate", "--data-dir", dataDir.toString());
                assertThat(exit).isZero();
            }
            List<String> names = names(keys);
            assertThat(names).hasSize(3).contains("0");
            int primary = names.stream().mapToInt(Integer::parseInt).max().orElseThrow();
            assertThat(Files.readString(keys.resolve(String.valueOf(primary)))).isEqualTo(staged);
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).sorted().toList();
        }
    }
}
