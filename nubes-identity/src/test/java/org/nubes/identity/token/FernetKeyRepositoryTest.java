package org.nubes.identity.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FernetKeyRepositoryTest {
    @TempDir
    Path tmp;

    @Test
    void initializeCreatesAPrimaryAndAStagedKeyReadableOnlyByTheOwner() throws IOException {
        Path dir = tmp.resolve("fernet-keys");
        FernetKeyRepository repository = new FernetKeyRepository(dir, 3);

        repository.initialize();

        assertThat(files(dir)).containsOnlyKeys("0", "1");
        assertThat(files(dir).values()).allSatisfy(content -> assertThat(content).hasSize(44).endsWith("="));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("0")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("1")))).isEqualTo("rw-------");
        assertThat(repository.keys()).containsExactly(key(dir, "1"), key(dir, "0"));

        Map<String, String> before = files(dir);
        repository.initialize(); // already has keys: nothing to do
        assertThat(files(dir)).isEqualTo(before);
    }

    @Test
    void rotatePromotesTheStagedKeyAndKeepsAtMostMaxActiveKeys() throws IOException {
        FernetKeyRepository repository = new FernetKeyRepository(tmp, 3);
        repository.initialize();

        for (int rotation = 1; rotation <= 5; rotation++) {
            String staged = files(tmp).get("0");
            repository.rotate();

            Map<String, String> files = files(tmp);
            String primary = Integer.toString(rotation + 1);
            assertThat(files.get(primary)).as("staged key became primary").isEqualTo(staged);
            assertThat(files.get("0")).isNotEqualTo(staged);
            assertThat(files).hasSizeLessThanOrEqualTo(3).containsKey("0");
        }
        assertThat(files(tmp)).containsOnlyKeys("0", "5", "6");
        // primary, staged, then secondaries newest first
        assertThat(repository.keys()).containsExactly(key(tmp, "6"), key(tmp, "0"), key(tmp, "5"));
    }

    @Test
    void keysListsSecondariesNewestFirst() throws IOException {
        FernetKeyRepository repository = new FernetKeyRepository(tmp, 5);
        repository.initialize();
        repository.rotate();
        repository.rotate();
        repository.rotate();

        assertThat(files(tmp)).containsOnlyKeys("0", "1", "2", "3", "4");
        assertThat(repository.keys())
                .containsExactly(key(tmp, "4"), key(tmp, "0"), key(tmp, "3"), key(tmp, "2"), key(tmp, "1"));
    }

    @Test
    void keysAreCachedAndReloadedWhenTheDirectoryChanges() throws Exception {
        FernetKeyRepository writer = new FernetKeyRepository(tmp, 3);
        writer.initialize();
        FernetKeyRepository cachedForever = new FernetKeyRepository(tmp, 3, Long.MAX_VALUE / 2);
        FernetKeyRepository alwaysChecks = new FernetKeyRepository(tmp, 3, 0);
        List<FernetKey> before = cachedForever.keys();
        assertThat(alwaysChecks.keys()).isEqualTo(before);
        assertThat(alwaysChecks.keys()).isSameAs(alwaysChecks.keys()); // unchanged directory: not re-read

        writer.rotate(); // e.g. on another node, then synced here

        assertThat(writer.keys()).as("own rotation is seen at once").hasSize(3).isNotEqualTo(before);
        assertThat(cachedForever.keys()).isEqualTo(before);
        assertThat(alwaysChecks.keys()).isEqualTo(writer.keys());

        Thread.sleep(50); // past the kernel's coarse mtime tick, as any real rewrite would be
        FernetKey replaced = FernetKey.generate(); // a key file rewritten in place
        Files.writeString(tmp.resolve("0"), replaced.encoded());
        assertThat(alwaysChecks.keys().get(1)).isEqualTo(replaced);
    }

    @Test
    void ignoresWhatKeystoneIgnores() throws IOException {
        FernetKey primary = FernetKey.generate();
        FernetKey staged = FernetKey.generate();
        Files.writeString(tmp.resolve("7"), primary.encoded() + "\n");
        Files.writeString(tmp.resolve("0"), staged.encoded());
        Files.writeString(tmp.resolve("3"), ""); // empty
        Files.writeString(tmp.resolve("0.tmp"), "junk");
        Files.writeString(tmp.resolve("README"), "junk");
        Files.createDirectory(tmp.resolve("9"));

        assertThat(new FernetKeyRepository(tmp, 3).keys()).containsExactly(primary, staged);
    }

    @Test
    void refusesWhatCannotWork() {
        assertThatThrownBy(() -> new FernetKeyRepository(tmp, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FernetKeyRepository(tmp, 3).rotate()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new FernetKeyRepository(tmp.resolve("missing"), 3).keys())
                .isInstanceOf(java.io.UncheckedIOException.class);
    }

    private static Map<String, String> files(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.list(dir)) {
            for (Path path : paths.toList()) {
                files.put(path.getFileName().toString(), Files.readString(path));
            }
        }
        return files;
    }

    private static FernetKey key(Path dir, String name) throws IOException {
        return FernetKey.parse(Files.readString(dir.resolve(name)));
    }
}
