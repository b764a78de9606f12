package org.nubes.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Results a benchmark gathers over several phases (several JVMs, e.g. one while the script's
 * server runs and one after it stopped), kept in a tab-separated file and printed once at the end
 * as one table followed by free lines.
 */
public final class Report {
    private static final String ROW = "row";
    private static final String LINE = "line";

    private final Path file;

    public Report(Path file) {
        this.file = file;
    }

    public void row(List<String> cells) {
        for (String cell : cells) {
            if (cell.contains("\t") || cell.contains("\n")) {
                throw new IllegalArgumentException("a cell may hold no tab or newline: " + cell);
            }
        }
        append(ROW + "\t" + String.join("\t", cells));
    }

    public void row(LoadRun.Result result) {
        row(result.cells());
    }

    /** A line printed under the table, e.g. "bcrypt ceiling: 8.1 checks/s". */
    public void line(String text) {
        append(LINE + "\t" + text.replace('\n', ' ').replace('\t', ' '));
    }

    /** The table (with these headers) and then the lines, in the order they were added. */
    public String render(List<String> headers) {
        Table table = new Table(headers);
        List<String> lines = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String l : Files.readAllLines(file)) {
                    String[] f = l.split("\t", -1);
                    switch (f[0]) {
                        case ROW -> table.row(Arrays.asList(f).subList(1, f.length));
                        case LINE -> lines.add(f[1]);
                        default -> { }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder out = new StringBuilder(table.render());
        if (!lines.isEmpty()) {
            out.append('\n');
            lines.forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    private synchronized void append(String line) {
        try {
            Files.writeString(file, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
