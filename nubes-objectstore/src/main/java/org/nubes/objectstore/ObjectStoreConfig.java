package org.nubes.objectstore;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.nubes.core.config.Config;
import org.nubes.core.config.Setting;

/**
 * The object storage service's settings. {@link #SETTINGS} is the one list of its keys with their
 * defaults, to be added to {@link org.nubes.core.config.Settings}.
 *
 * @param devicesDir the directory holding one sub-directory per device (d0, d1, ...) and the hash path secret
 * @param replicas copies of every object; a write succeeds on a majority of them
 * @param partPower the ring has 2^partPower partitions
 * @param devices devices (directories) of the all-in-one ring, one zone each
 * @param maxFileSize the largest object a single PUT may store (bytes)
 * @param listingLimit the most entries one account or container listing answers
 * @param replicationInterval seconds between replication passes (0: no periodic pass)
 * @param auditInterval seconds between audit passes (0: no periodic pass)
 * @param expirerInterval seconds between passes deleting the objects past their X-Delete-At (0: none)
 * @param reclaimAge seconds a tombstone is kept before the replicator removes it
 * @param tmpMaxAge seconds after which an unfinished write's temporary file is removed
 */
public record ObjectStoreConfig(
        int port,
        Path devicesDir,
        int replicas,
        int partPower,
        int devices,
        long maxFileSize,
        int listingLimit,
        int replicationInterval,
        int auditInterval,
        int expirerInterval,
        long reclaimAge,
        long tmpMaxAge) {

    public static final List<Setting> SETTINGS = List.of(
            new Setting("objectstore.port", "8080", "Port of the object storage API (Swift v1)."),
            new Setting("objectstore.devices_dir", "", "Directory of the object storage devices (one sub-directory each); empty means data_dir/objects."),
            new Setting("objectstore.replicas", "3", "Copies of every object; a write succeeds once a majority is stored."),
            new Setting("objectstore.part_power", "10", "The object ring has 2^part_power partitions; fixed once data is stored."),
            new Setting("objectstore.devices", "3", "Devices (directories, one zone each) of the all-in-one object ring."),
            new Setting("objectstore.max_file_size", "5368709122", "Largest object a single PUT may store (bytes)."),
            new Setting("objectstore.listing_limit", "10000", "Most entries one account or container listing answers."),
            new Setting("objectstore.replication_interval", "30", "Seconds between replication passes over every partition (0: none)."),
            new Setting("objectstore.audit_interval", "300", "Seconds between audit passes checking every object's MD5 and size (0: none)."),
            new Setting("objectstore.expirer_interval", "60", "Seconds between passes deleting the objects whose X-Delete-At has passed (0: none); until then they are listed but not served."),
            new Setting("objectstore.reclaim_age", "604800", "Seconds a delete's tombstone is kept before replication removes it."),
            new Setting("objectstore.tmp_max_age", "3600", "Seconds after which an unfinished upload's temporary file is removed."));

    /** Without the replication settings: their defaults. */
    public ObjectStoreConfig(int port, Path devicesDir, int replicas, int partPower, int devices, long maxFileSize, int listingLimit) {
        this(port, devicesDir, replicas, partPower, devices, maxFileSize, listingLimit, 30, 300, 60, 604800, 3600);
    }

    public ObjectStoreConfig {
        if (replicas < 1 || replicas > devices) {
            throw new IllegalArgumentException("objectstore.replicas must be between 1 and objectstore.devices (" + devices + ")");
        }
        if (partPower < 0 || partPower > 24) {
            throw new IllegalArgumentException("objectstore.part_power must be between 0 and 24");
        }
        if (replicationInterval < 0 || auditInterval < 0 || expirerInterval < 0 || reclaimAge < 0 || tmpMaxAge < 0) {
            throw new IllegalArgumentException(
                    "objectstore.replication_interval, audit_interval, expirer_interval, reclaim_age and tmp_max_age must not be negative");
        }
    }

    public static ObjectStoreConfig from(Config config) {
        return from(key -> {
            try {
                return config.string(key);
            } catch (IllegalArgumentException e) {
                return null;  // a key not (yet) in Settings: its default below
            }
        });
    }

    /** From any key lookup, so that the mapping can be tested before the keys are in Settings. */
    public static ObjectStoreConfig from(Function<String, String> lookup) {
        Function<String, String> values = key -> {
            String value = lookup.apply(key);
            return value != null ? value
                    : SETTINGS.stream().filter(s -> s.key().equals(key)).findFirst().map(Setting::defaultValue).orElse(null);
        };
        String devicesDir = values.apply("objectstore.devices_dir");
        return new ObjectStoreConfig(
                integer(values, "objectstore.port"),
                devicesDir.isBlank() ? Path.of(values.apply("data_dir")).resolve("objects") : Path.of(devicesDir),
                integer(values, "objectstore.replicas"),
                integer(values, "objectstore.part_power"),
                integer(values, "objectstore.devices"),
                Long.parseLong(values.apply("objectstore.max_file_size").strip()),
                integer(values, "objectstore.listing_limit"),
                integer(values, "objectstore.replication_interval"),
                integer(values, "objectstore.audit_interval"),
                integer(values, "objectstore.expirer_interval"),
                Long.parseLong(values.apply("objectstore.reclaim_age").strip()),
                Long.parseLong(values.apply("objectstore.tmp_max_age").strip()));
    }

    /** The defaults, with the given devices directory and port (for tests and tools). */
    public static ObjectStoreConfig defaults(Path devicesDir, int port) {
        return from(key -> switch (key) {
            case "objectstore.devices_dir" -> devicesDir.toString();
            case "objectstore.port" -> Integer.toString(port);
            default -> SETTINGS.stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow().defaultValue();
        });
    }

    private static int integer(Function<String, String> values, String key) {
        return Integer.parseInt(values.apply(key).strip());
    }
}
