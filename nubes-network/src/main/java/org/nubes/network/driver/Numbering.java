package org.nubes.network.driver;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Small numbers given to names (ports' firewall marks, networks' conntrack zones). The kernel keeps them
 * in an nft map, which is read back on first use, so that a restarted driver gives every name the number
 * it had.
 */
final class Numbering {
    /** Reads the numbers the kernel keeps. */
    interface Loader {
        Map<String, Integer> load() throws NetworkDriverException;
    }

    private final String what;
    private final int max;
    private final Loader loader;
    private Map<String, Integer> numbers;

    Numbering(String what, int max, Loader loader) {
        this.what = what;
        this.max = max;
        this.loader = loader;
    }

    synchronized Integer find(String name) throws NetworkDriverException {
        return numbers().get(name);
    }

    /** The name's number, or the smallest free one, which the caller then stores in the kernel. */
    synchronized int assign(String name) throws NetworkDriverException {
        Integer number = numbers().get(name);
        if (number != null) {
            return number;
        }
        Set<Integer> used = new HashSet<>(numbers.values());
        for (int free = 1; free <= max; free++) {
            if (!used.contains(free)) {
                numbers.put(name, free);
                return free;
            }
        }
        throw new NetworkDriverException("more than " + max + " " + what + " on this host");
    }

    synchronized void forget(String name) {
        if (numbers != null) {
            numbers.remove(name);
        }
    }

    /** Forgets every number: the kernel's map is gone. */
    synchronized void reset() {
        numbers = null;
    }

    private Map<String, Integer> numbers() throws NetworkDriverException {
        if (numbers == null) {
            numbers = new HashMap<>(loader.load());
        }
        return numbers;
    }
}
