package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * python-swiftclient against the bulk middleware and object expiry: {@code swift delete} of a
 * container with many objects uses bulk delete (it does so when /info offers it), an archive is
 * extracted through the client library's put_object, and X-Delete-After set with {@code swift post}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwiftCliBulkTest {
    private SwiftCli swift;

    @BeforeAll
    void start() {
        swift = SwiftCli.start("cli-bulk", Duration.ofMinutes(2));
    }

    @AfterAll
    void stop() {
        if (swift != null) {
            swift.close();
        }
    }

    @Test
    void swiftDeleteOfManyObjectsUsesBulkDelete(@TempDir Path dir) throws Exception {
        Path files = Files.createDirectories(dir.resolve("files"));
        for (int i = 0; i < 30; i++) {
            Files.writeString(files.resolve("f%02d.txt".formatted(i)), "file " + i + "\n");
        }
        SwiftCli.Result upload = swift.run(dir, "upload", "many", "files");
        assertThat(upload.exit()).as(upload.err()).isZero();
        assertThat(swift.run(dir, "list", "many").out().lines()).hasSize(30);

        SwiftCli.Result delete = swift.run(dir, "--debug", "delete", "many");
        assertThat(delete.exit()).as(delete.err()).isZero();
        assertThat(delete.err()).contains("bulk-delete");
        assertThat(delete.out()).contains("files/f00.txt").contains("files/f29.txt");
        assertThat(swift.run(dir, "list").out()).isEmpty();
    }

    @Test
    void anArchiveIsExtractedIntoAContainer(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(archive))) {
            for (String name : new String[] {"./docs/readme.txt", "docs/deep/notes.md", "other.txt"}) {
                byte[] content = ("content of " + name).getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setSize(content.length);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        Files.write(dir.resolve("site.tar.gz"), archive.toByteArray());
        SwiftCli.Result extract = swift.python(dir, """
                resp = {}
                with open(args[0], 'rb') as f:
                    conn.put_object(args[1], None, f.read(), query_string='extract-archive=tar.gz',
                                    headers={'Accept': 'application/json'}, response_dict=resp)
                print(resp['status'])
                """, "site.tar.gz", "site");
        assertThat(extract.exit()).as(extract.err()).isZero();
        assertThat(extract.out().strip()).isEqualTo("200");
        SwiftCli.Result list = swift.run(dir, "list", "site");
        assertThat(list.out().lines().toList()).containsExactly("docs/deep/notes.md", "docs/readme.txt", "other.txt");
        SwiftCli.Result download = swift.run(dir, "download", "site", "docs/readme.txt", "-o", "-");
        assertThat(download.out()).isEqualTo("content of ./docs/readme.txt");
    }

    @Test
    void anExpiryTimeSetWithSwiftPostIsShownByStat(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("note.txt"), "expires\n");
        assertThat(swift.run(dir, "upload", "exp", "note.txt").exit()).isZero();
        SwiftCli.Result post = swift.run(dir, "post", "exp", "note.txt", "-H", "X-Delete-After:3600");
        assertThat(post.exit()).as(post.err()).isZero();
        SwiftCli.Result stat = swift.run(dir, "stat", "exp", "note.txt");
        assertThat(stat.exit()).as(stat.err()).isZero();
        assertThat(stat.out()).containsPattern("X-Delete-At: \\d{10}");
    }
}
