package org.nubes.compute;

import org.nubes.core.config.Config;

/** The compute service's settings (see {@link org.nubes.core.config.Settings} for defaults). */
public record ComputeConfig(
        int port,
        String driver,
        java.nio.file.Path containerDir,
        String containerCgroupParent,
        int containerStopTimeoutSeconds,
        String host,
        FakeHosts fakeHosts,
        int reportIntervalSeconds,
        int serviceDownTimeSeconds,
        AllocationRatios ratios,
        String defaultAvailabilityZone,
        QuotaDefaults quotas) {

    /** How many simulated hosts the fake driver runs, and what each has. */
    public record FakeHosts(int count, int vcpus, int memoryMb, int diskGb) {}

    public record AllocationRatios(double cpu, double ram, double disk) {}

    /** Default limits; -1 means unlimited, as in Nova. */
    public record QuotaDefaults(int instances, int cores, int ram, int keyPairs, int serverGroups,
            int serverGroupMembers, int metadataItems) {}

    public static ComputeConfig from(Config config) {
        String host = config.string("compute.host").strip();
        if (host.isEmpty()) {
            host = localHostName();
        }
        return new ComputeConfig(
                config.integer("compute.port"),
                config.string("compute.driver").strip(),
                containerDir(config),
                config.string("compute.container_cgroup_parent").strip(),
                config.integer("compute.container_stop_timeout"),
                host,
                new FakeHosts(config.integer("compute.fake_hosts"), config.integer("compute.fake_host_vcpus"),
                        config.integer("compute.fake_host_memory_mb"), config.integer("compute.fake_host_disk_gb")),
                config.integer("compute.report_interval"),
                config.integer("compute.service_down_time"),
                new AllocationRatios(number(config, "compute.cpu_allocation_ratio"),
                        number(config, "compute.ram_allocation_ratio"), number(config, "compute.disk_allocation_ratio")),
                config.string("compute.default_availability_zone").strip(),
                new QuotaDefaults(config.integer("compute.quota_instances"), config.integer("compute.quota_cores"),
                        config.integer("compute.quota_ram"), config.integer("compute.quota_key_pairs"),
                        config.integer("compute.quota_server_groups"), config.integer("compute.quota_server_group_members"),
                        config.integer("compute.quota_metadata_items")));
    }

    private static java.nio.file.Path containerDir(Config config) {
        String dir = config.string("compute.container_dir").strip();
        return dir.isEmpty() ? config.path("data_dir").resolve("compute") : java.nio.file.Path.of(dir);
    }

    private static double number(Config config, String key) {
        String text = config.string(key).strip();
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new org.nubes.core.config.ConfigException(key + " must be a number, not '" + text + "'");
        }
    }

    private static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
