package org.nubes.objectstore.ring;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Consistent hashing as in Swift: the top partPower bits of an object's path hash name its
 * partition, and every partition is assigned to {@code replicas} distinct devices, in distinct zones
 * while there are enough zones, in proportion to the devices' weights.
 *
 * <p>The assignment is a pure function of (devices, replicas, partPower), so every process that
 * builds the ring from the same configuration gets the same ring, and an object always lives on the
 * same devices.
 */
public final class Ring {
    private final List<Device> devices;
    private final int replicas;
    private final int partPower;
    private final HashPath hashPath;
    /** assignment[replica][partition] = index into devices. */
    private final int[][] assignment;

    public Ring(List<Device> devices, int replicas, int partPower, HashPath hashPath) {
        if (replicas < 1 || replicas > devices.size()) {
            throw new IllegalArgumentException("need at least as many devices (" + devices.size() + ") as replicas (" + replicas + ")");
        }
        this.devices = List.copyOf(devices);
        this.replicas = replicas;
        this.partPower = partPower;
        this.hashPath = hashPath;
        this.assignment = assign();
    }

    /**
     * Greedy placement: for each partition and replica, the device that is furthest below its
     * weight's share, skipping devices (and, while possible, zones) the partition already uses. Ties
     * go by a per-partition hash so that equal devices do not fill up in id order.
     */
    private int[][] assign() {
        int partitions = 1 << partPower;
        double totalWeight = devices.stream().mapToDouble(Device::weight).sum();
        double[] wanted = new double[devices.size()];
        for (int d = 0; d < devices.size(); d++) {
            wanted[d] = (double) partitions * replicas * devices.get(d).weight() / totalWeight;
        }
        int[] assigned = new int[devices.size()];
        int[][] result = new int[replicas][partitions];
        for (int p = 0; p < partitions; p++) {
            Set<Integer> usedDevices = new HashSet<>();
            Set<Integer> usedZones = new HashSet<>();
            for (int r = 0; r < replicas; r++) {
                int part = p;
                boolean zonesLeft = devices.stream().anyMatch(d -> !usedZones.contains(d.zone()));
                int best = -1;
                for (int d = 0; d < devices.size(); d++) {
                    if (usedDevices.contains(d) || (zonesLeft && usedZones.contains(devices.get(d).zone()))
                            || devices.get(d).weight() <= 0) {
                        continue;
                    }
                    if (best < 0 || better(d, best, wanted, assigned, part)) {
                        best = d;
                    }
                }
                result[r][p] = best;
                assigned[best]++;
                usedDevices.add(best);
                usedZones.add(devices.get(best).zone());
            }
        }
        return result;
    }

    private boolean better(int a, int b, double[] wanted, int[] assigned, int partition) {
        double needA = wanted[a] - assigned[a];
        double needB = wanted[b] - assigned[b];
        if (needA != needB) {
            return needA > needB;
        }
        return Integer.compareUnsigned(mix(partition, devices.get(a).id()), mix(partition, devices.get(b).id())) < 0;
    }

    private static int mix(int partition, int device) {
        int h = partition * 0x9E3779B1 + device * 0x85EBCA77;
        h ^= h >>> 15;
        h *= 0xC2B2AE3D;
        return h ^ (h >>> 13);
    }

    /** The partition of a hash: its first four bytes, big-endian, shifted down to partPower bits. */
    public int partition(byte[] hash) {
        long top = ((hash[0] & 0xFFL) << 24) | ((hash[1] & 0xFFL) << 16) | ((hash[2] & 0xFFL) << 8) | (hash[3] & 0xFFL);
        return (int) (top >>> (32 - partPower));
    }

    /**
     * Where an object's replicas live. path is "account/container/object", stored beside the data so
     * that the listing can be rebuilt from the disks; null where only the hash is known.
     */
    public record Location(String hash, int partition, List<Device> devices, String path) {
        /** The last three hex digits of the hash, Swift's suffix directory. */
        public String suffix() {
            return hash.substring(hash.length() - 3);
        }
    }

    public Location locate(String account, String container, String object) {
        byte[] hash = hashPath.hash(account, container, object);
        int partition = partition(hash);
        return new Location(HexFormat.of().formatHex(hash), partition, devicesOf(partition),
                account + "/" + container + "/" + object);
    }

    public List<Device> devicesOf(int partition) {
        List<Device> result = new ArrayList<>(replicas);
        for (int r = 0; r < replicas; r++) {
            result.add(devices.get(assignment[r][partition]));
        }
        return List.copyOf(result);
    }

    public int partitions() {
        return 1 << partPower;
    }

    public int replicas() {
        return replicas;
    }

    public List<Device> devices() {
        return devices;
    }

    /** Writes needed for success: a majority of the replicas. */
    public int quorum() {
        return replicas / 2 + 1;
    }
}
