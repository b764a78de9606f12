package org.nubes.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table is the documentation of {@link Settings}: every key is in it
 * with its default, and it lists no key that does not exist. Run from the module directory, as
 * Maven does, so the README is {@code ../README.md}.
 */
class ReadmeSettingsTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @Test
    void everySettingIsInTheConfigurationTableWithItsDefault() throws IOException {
        List<String> table = configurationTable();
        int column = cells(table.getFirst()).stream().map(String::toLowerCase).toList().indexOf("default");
        assertThat(column).as("README.md configuration table has a 'default' column").isPositive();
        List<String> rows = table.subList(2, table.size());

        assertThat(Settings.ALL).allSatisfy(s -> {
            Optional<String> row = rows.stream().filter(line -> key(line).filter(s.key()::equals).isPresent()).findFirst();
            assertThat(row).as("README.md configuration table row for %s", s.key()).isPresent();
            List<String> cells = cells(row.get());
            assertThat(cells.size()).as("cells of %s", row.get()).isGreaterThan(column);
            String documented = unquote(cells.get(column));
            if (s.defaultValue().isEmpty()) {
                assertThat(documented).as("default of %s in README.md", s.key()).isIn("", "(empty)", "empty", "(none)");
            } else {
                assertThat(documented).as("default of %s in README.md", s.key()).isEqualTo(s.defaultValue());
            }
        });
    }

    @Test
    void theConfigurationTableNamesOnlyExistingKeys() throws IOException {
        List<String> table = configurationTable();

        assertThat(table.stream().skip(2).map(ReadmeSettingsTest::key).flatMap(Optional::stream))
                .allSatisfy(key -> assertThat(Settings.isKnown(key)).as("README.md documents unknown key '%s'", key).isTrue());
    }

    /** The lines (header, separator, rows) of the first markdown table that names a known key. */
    private static List<String> configurationTable() throws IOException {
        assertThat(README).as("README.md at %s (written with the configuration table)", README.toAbsolutePath().normalize())
                .isRegularFile();
        List<String> lines = Files.readAllLines(README);
        List<String> table = new ArrayList<>();
        boolean found = false;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("|")) {
                table.add(line);
                found |= key(line).filter(Settings::isKnown).isPresent();
            } else if (found) {
                break;
            } else {
                table.clear();
            }
        }
        assertThat(found).as("README.md has a table whose first column lists configuration keys").isTrue();
        assertThat(table.size()).as("configuration table with header and separator").isGreaterThan(2);
        return table;
    }

    /** The key a row documents: the first `code` of its first cell, or the whole first cell. */
    private static Optional<String> key(String row) {
        List<String> cells = cells(row);
        if (cells.isEmpty() || cells.getFirst().isEmpty()) {
            return Optional.empty();
        }
        Matcher code = CODE.matcher(cells.getFirst());
        return Optional.of(code.find() ? code.group(1).strip() : cells.getFirst());
    }

    private static List<String> cells(String row) {
        String inner = row.substring(1, row.length() > 1 && row.endsWith("|") ? row.length() - 1 : row.length());
        return List.of(inner.split("\\|")).stream().map(String::strip).toList();
    }

    private static String unquote(String cell) {
        String c = cell.strip();
        while (c.length() >= 2 && (c.startsWith("`") && c.endsWith("`") || c.startsWith("\"") && c.endsWith("\""))) {
            c = c.substring(1, c.length() - 1).strip();
        }
        return c;
    }
}
