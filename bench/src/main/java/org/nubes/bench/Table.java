package org.nubes.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with a header row, as benchmarks print them: columns padded to their widest
 * cell, numbers right-aligned, text left-aligned.
 * <pre>
 * | benchmark | concurrency | requests/s |
 * |-----------|-------------|------------|
 * | validate  |          16 |      20000 |
 * </pre>
 */
public final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(List<String> headers) {
        this.headers = List.copyOf(headers);
    }

    public Table row(List<String> cells) {
        if (cells.size() != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, the table " + headers.size() + " columns");
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    public List<String> headers() {
        return headers;
    }

    public List<List<String>> rows() {
        return List.copyOf(rows);
    }

    public String render() {
        int[] width = new int[headers.size()];
        boolean[] numeric = new boolean[headers.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = headers.get(c).length();
            numeric[c] = !rows.isEmpty();
            for (List<String> row : rows) {
                width[c] = Math.max(width[c], row.get(c).length());
                numeric[c] &= row.get(c).matches("-|[-+]?[0-9][0-9.,]*%?");
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, width, new boolean[width.length]);
        out.append('|');
        for (int w : width) {
            out.append("-".repeat(w + 2)).append('|');
        }
        out.append('\n');
        for (List<String> row : rows) {
            line(out, row, width, numeric);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] width, boolean[] right) {
        out.append('|');
        for (int c = 0; c < width.length; c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            out.append(' ').append(right[c] ? pad + cell : cell + pad).append(" |");
        }
        out.append('\n');
    }

    @Override
    public String toString() {
        return render();
    }
}
