package org.nubes.core.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key of Nubes with its default: the one place they are documented. The
 * README's table is checked against this list by a test.
 */
public final class Settings {
    public static final List<Setting> ALL = List.of(
            new Setting("data_dir", "./var", "Directory holding all state: database, keys, generated credentials, logs."),
            new Setting("http.bind", "127.0.0.1", "Address every API listens on."),
            new Setting("http.public_host", "127.0.0.1", "Host name or address put in catalog URLs and links."),
            new Setting("http.max_request_bytes", "1048576", "Largest request body a JSON API accepts (bytes); streaming uploads are not limited by it."),
            new Setting("database.url", "", "JDBC URL of the database; empty means the embedded H2 database under data_dir."),
            new Setting("database.user", "", "Database user name (PostgreSQL)."),
            new Setting("database.password", "", "Database password (PostgreSQL)."),
            new Setting("database.pool_size", "16", "Connections in the pool."),
            new Setting("bus.url", "", "AMQP URL of RabbitMQ for the message bus; empty means the in-process bus."),
            new Setting("identity.port", "5000", "Port of the identity API (Keystone v3)."),
            new Setting("identity.url", "", "Identity API URL that other services use; empty means the one in this process."),
            new Setting("identity.region", "RegionOne", "Region of the bootstrap catalog."),
            new Setting("identity.admin_password", "", "Password of the bootstrap admin user; empty means generate one at first start."),
            new Setting("identity.token_expiration", "3600", "Token lifetime in seconds."),
            new Setting("identity.allow_expired_window", "172800", "Seconds after expiry that allow_expired may still validate a token."),
            new Setting("identity.bcrypt_cost", "12", "bcrypt cost of password hashes."),
            new Setting("identity.max_active_keys", "3", "Fernet keys kept by key rotation (staged + primary + secondaries)."),
            new Setting("identity.cache_seconds", "30", "How long a service outside the identity process trusts a validated token."),
            new Setting("identity.service_password", "", "Password of the 'nubes' service user services use for service tokens; empty means generate one."),
            new Setting("image.port", "9292", "Port of the image API (Glance v2)."),
            new Setting("image.store_dir", "", "Directory of the filesystem image store; empty means data_dir/images."),
            new Setting("image.disk_formats", "ami,ari,aki,vhd,vhdx,vmdk,raw,qcow2,vdi,iso,ploop", "Disk formats an image may declare."),
            new Setting("image.container_formats", "ami,ari,aki,bare,ovf,ova,docker,compressed", "Container formats an image may declare."),
            new Setting("image.quota_images", "-1", "Images a project may own; -1 means no limit."),
            new Setting("image.quota_bytes", "-1", "Total bytes of image data a project may store; -1 means no limit."),
            new Setting("image.max_image_bytes", "1099511627776", "Largest image a single upload may store (bytes)."),
            new Setting("compute.port", "8774", "Port of the compute API (Nova v2.1)."),
            new Setting("compute.driver", "auto", "Virt driver of this host's compute agent: container (crun), fake, or auto (container where it works, else fake)."),
            new Setting("compute.container_dir", "", "Directory of the container driver's images and servers; empty means data_dir/compute."),
            new Setting("compute.container_cgroup_parent", "nubes", "cgroup under which each container server gets its own (in every v1 hierarchy)."),
            new Setting("compute.container_stop_timeout", "10", "Seconds a container server has to stop on SIGTERM before it is killed."),
            new Setting("compute.host", "", "Name of this compute host; empty means the machine's host name."),
            new Setting("compute.fake_hosts", "1", "Simulated hosts the fake driver runs in this process (for scheduler tests and benchmarks)."),
            new Setting("compute.fake_host_vcpus", "16", "vCPUs of each simulated fake host."),
            new Setting("compute.fake_host_memory_mb", "65536", "Memory of each simulated fake host (MiB)."),
            new Setting("compute.fake_host_disk_gb", "1000", "Disk of each simulated fake host (GiB)."),
            new Setting("compute.report_interval", "10", "Seconds between a compute agent's resource and liveness reports."),
            new Setting("compute.service_down_time", "60", "Seconds without a report after which a compute service counts as down."),
            new Setting("compute.cpu_allocation_ratio", "16.0", "Virtual CPUs the scheduler places per physical CPU."),
            new Setting("compute.ram_allocation_ratio", "1.5", "Memory the scheduler places per MiB of host memory."),
            new Setting("compute.disk_allocation_ratio", "1.0", "Disk the scheduler places per GiB of host disk."),
            new Setting("compute.default_availability_zone", "nova", "Availability zone of compute hosts and of servers that name none."),
            new Setting("compute.quota_instances", "10", "Default servers per project; -1 means no limit."),
            new Setting("compute.quota_cores", "20", "Default vCPUs per project; -1 means no limit."),
            new Setting("compute.quota_ram", "51200", "Default memory per project (MiB); -1 means no limit."),
            new Setting("compute.quota_key_pairs", "100", "Default key pairs per user; -1 means no limit."),
            new Setting("compute.quota_server_groups", "10", "Default server groups per project; -1 means no limit."),
            new Setting("compute.quota_server_group_members", "10", "Default servers per server group; -1 means no limit."),
            new Setting("compute.quota_metadata_items", "128", "Metadata items per server; -1 means no limit."),
            new Setting("network.port", "9696", "Port of the networking API (Neutron v2.0)."),
            new Setting("network.driver", "auto", "How tenant networks are built on this host: linux (namespaces, bridges, nftables; needs root), noop (API only), or auto (linux where it can)."),
            new Setting("network.namespace_prefix", "nubes", "Prefix of the network namespaces Nubes makes (<prefix>-host, <prefix>-router-<id>)."),
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
            new Setting("objectstore.tmp_max_age", "3600", "Seconds after which an unfinished upload's temporary file is removed.")
    );

    private static final Map<String, Setting> BY_KEY = new LinkedHashMap<>();

    static {
        ALL.forEach(s -> BY_KEY.put(s.key(), s));
    }

    private Settings() {}

    public static Setting get(String key) {
        return BY_KEY.get(key);
    }

    public static boolean isKnown(String key) {
        return BY_KEY.containsKey(key);
    }
}
