package org.nubes.compute.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Set;
import org.nubes.compute.service.ServerStatus;
import org.nubes.compute.store.Flavor;
import org.nubes.compute.store.Instance;
import org.nubes.core.http.Microversion;
import org.nubes.core.json.Json;

/**
 * A server in Nova's wire format for one microversion: exactly the keys that version shows, the
 * admin-only ones only to admins.
 */
public final class ServerView {
    /** Statuses that show a progress. */
    private static final Set<String> PROGRESS_STATUSES = Set.of("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING");

    /** Who is looking, and how. */
    public record Viewer(String baseUrl, Microversion version, boolean admin, boolean hostStatus, HostStatus hosts) {}

    /** The status of a server's host for the 2.16 host_status key. */
    @FunctionalInterface
    public interface HostStatus {
        String of(String host);
    }

    private ServerView() {}

    /** GET /servers: id, name and links. */
    public static ObjectNode summary(Instance server, Viewer viewer) {
        ObjectNode view = Json.object().put("id", server.id()).put("name", server.name());
        view.set("links", links(viewer.baseUrl(), "servers", server.id()));
        return view;
    }

    /** The server's addresses by network name, from its ports. */
    public static ObjectNode addresses(Instance server) {
        ObjectNode addresses = Json.object();
        for (org.nubes.compute.store.Vif vif : server.networkInfo()) {
            com.fasterxml.jackson.databind.node.ArrayNode list = addresses.withArray(vif.networkName());
            for (org.nubes.compute.store.Vif.FixedIp ip : vif.fixedIps()) {
                list.addObject().put("version", ip.version()).put("addr", ip.address())
                        .put("OS-EXT-IPS:type", "fixed").put("OS-EXT-IPS-MAC:mac_addr", vif.macAddress());
            }
            for (String floating : vif.floatingIps()) {
                list.addObject().put("version", floating.contains(":") ? 6 : 4).put("addr", floating)
                        .put("OS-EXT-IPS:type", "floating").put("OS-EXT-IPS-MAC:mac_addr", vif.macAddress());
            }
        }
        return addresses;
    }

    /** GET /servers/{id} and /servers/detail. */
    public static ObjectNode detail(Instance server, Viewer viewer) {
        Microversion v = viewer.version();
        String status = ServerStatus.of(server.vmState(), server.taskState());
        ObjectNode view = Json.object();
        view.put("id", server.id()).put("name", server.name()).put("status", status)
                .put("tenant_id", server.projectId()).put("user_id", server.userId());
        view.set("metadata", Json.MAPPER.valueToTree(new java.util.TreeMap<>(server.metadata())));
        view.put("hostId", hostId(server.projectId(), server.host()));
        ObjectNode image = view.putObject("image").put("id", server.imageRef());
        image.set("links", bookmark(viewer.baseUrl(), "images", server.imageRef()));
        view.set("flavor", flavor(server.flavor(), viewer));
        view.put("created", isoTime(server.createdAt())).put("updated", isoTime(server.updatedAt()));
        view.set("addresses", addresses(server));
        java.util.Set<String> groups = new java.util.TreeSet<>();
        server.networkInfo().forEach(vif -> vif.securityGroups().forEach(g -> groups.add(g.name())));
        // As Nova: the groups of the server's ports, and no key at all when it has none.
        groups.forEach(name -> view.withArray("security_groups").addObject().put("name", name));
        view.put("accessIPv4", nullToEmpty(server.accessIpv4())).put("accessIPv6", nullToEmpty(server.accessIpv6()));
        view.set("links", links(viewer.baseUrl(), "servers", server.id()));
        view.put("OS-DCF:diskConfig", "MANUAL");
        if (PROGRESS_STATUSES.contains(status)) {
            view.put("progress", server.progress());
        }
        if (server.fault() != null && ("ERROR".equals(status) || "DELETED".equals(status))) {
            ObjectNode fault = view.putObject("fault").put("code", server.fault().code())
                    .put("created", isoTime(server.fault().created())).put("message", server.fault().message());
            if (viewer.admin() || server.fault().code() != 500) {
                fault.put("details", server.fault().details());
            }
        }
        view.put("key_name", server.keyName());
        view.put("config_drive", nullToEmpty(server.configDrive()));
        view.put("OS-EXT-AZ:availability_zone", nullToEmpty(server.availabilityZone()));
        view.put("OS-EXT-STS:power_state", server.powerState());
        view.put("OS-EXT-STS:task_state", server.taskState());
        view.put("OS-EXT-STS:vm_state", server.vmState());
        view.put("OS-SRV-USG:launched_at", Input.time(server.launchedAt()));
        view.put("OS-SRV-USG:terminated_at", Input.time(server.terminatedAt()));
        view.putArray("os-extended-volumes:volumes_attached");
        if (viewer.admin()) {
            view.put("OS-EXT-SRV-ATTR:host", server.host());
            view.put("OS-EXT-SRV-ATTR:hypervisor_hostname", server.node());
            view.put("OS-EXT-SRV-ATTR:instance_name", "instance-" + server.id().substring(0, 8));
            if (v.atLeast(2, 3)) {
                view.put("OS-EXT-SRV-ATTR:reservation_id", server.reservationId());
                view.put("OS-EXT-SRV-ATTR:launch_index", server.launchIndex());
                view.put("OS-EXT-SRV-ATTR:kernel_id", "");
                view.put("OS-EXT-SRV-ATTR:ramdisk_id", "");
                view.put("OS-EXT-SRV-ATTR:hostname", server.hostname());
                view.put("OS-EXT-SRV-ATTR:root_device_name", "/dev/vda");
                view.put("OS-EXT-SRV-ATTR:user_data", server.userData());
            }
        }
        if (v.atLeast(2, 9)) {
            view.put("locked", server.lock().locked());
        }
        if (v.atLeast(2, 16) && viewer.hostStatus()) {
            view.put("host_status", server.host() == null ? "" : viewer.hosts().of(server.host()));
        }
        if (v.atLeast(2, 19)) {
            view.put("description", server.description());
        }
        if (v.atLeast(2, 26)) {
            ArrayNode tags = view.putArray("tags");
            server.tags().forEach(tags::add);
        }
        return view;
    }

    /** Below 2.47 a reference to the flavor; from 2.47 the server's own copy of it. */
    private static ObjectNode flavor(Flavor flavor, Viewer viewer) {
        if (!viewer.version().atLeast(2, 47)) {
            ObjectNode ref = Json.object().put("id", flavor.id());
            ref.set("links", bookmark(viewer.baseUrl(), "flavors", flavor.id()));
            return ref;
        }
        ObjectNode copy = Json.object().put("vcpus", flavor.vcpus()).put("ram", flavor.memoryMb()).put("disk", flavor.rootGb())
                .put("ephemeral", flavor.ephemeralGb()).put("swap", flavor.swapMb()).put("original_name", flavor.name());
        copy.set("extra_specs", Json.MAPPER.valueToTree(new java.util.TreeMap<>(flavor.extraSpecs())));
        return copy;
    }

    static ArrayNode links(String baseUrl, String collection, String id) {
        ArrayNode links = Json.array();
        links.addObject().put("href", baseUrl + "/v2.1/" + collection + "/" + id).put("rel", "self");
        links.addObject().put("href", baseUrl + "/" + collection + "/" + id).put("rel", "bookmark");
        return links;
    }

    private static ArrayNode bookmark(String baseUrl, String collection, String id) {
        ArrayNode links = Json.array();
        links.addObject().put("href", baseUrl + "/" + collection + "/" + id).put("rel", "bookmark");
        return links;
    }

    /** Nova's hostId: a hash of the project and the host, so a project can tell its servers apart by host. */
    static String hostId(String projectId, String host) {
        if (host == null) {
            return "";
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-224").digest((projectId + host).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Nova's times: seconds, UTC, with a Z. */
    public static String isoTime(Instant time) {
        return time == null ? null : DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.SECONDS));
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}
