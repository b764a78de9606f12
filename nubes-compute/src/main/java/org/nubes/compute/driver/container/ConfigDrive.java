package org.nubes.compute.driver.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.nubes.compute.driver.DriverException;
import org.nubes.compute.driver.VirtDriver.Guest;
import org.nubes.core.json.Json;

/**
 * Writes a server's config drive as a directory in OpenStack's metadata layout
 * ({@code openstack/latest/meta_data.json} and {@code openstack/latest/user_data}), which the driver
 * bind-mounts read-only at {@code /mnt/config} in the container. Only what Nubes knows goes in:
 * there is no network_data.json until servers have networks, and no vendor data.
 */
final class ConfigDrive {
    /** Where the drive appears inside the container. */
    static final String MOUNT_POINT = "/mnt/config";

    private ConfigDrive() {}

    static void write(Path dir, Guest guest, String availabilityZone) throws DriverException {
        ObjectNode meta = Json.object()
                .put("uuid", guest.instanceId())
                .put("name", guest.name())
                .put("hostname", guest.hostname())
                .put("launch_index", 0)
                .put("availability_zone", availabilityZone);
        ObjectNode userMeta = meta.putObject("meta");
        for (Map.Entry<String, String> entry : guest.metadata() == null ? Map.<String, String>of().entrySet()
                : guest.metadata().entrySet()) {
            userMeta.put(entry.getKey(), entry.getValue());
        }
        if (guest.publicKey() != null && !guest.publicKey().isBlank()) {
            // Nova names the key by the keypair's name; the driver only gets the key itself.
            meta.putObject("public_keys").put("key", guest.publicKey());
            meta.putArray("keys").addObject().put("name", "key").put("type", "ssh").put("data", guest.publicKey());
        }
        Path latest = dir.resolve("openstack/latest");
        try {
            Files.createDirectories(latest);
            Files.write(latest.resolve("meta_data.json"), Json.bytes(meta));
            if (guest.userData() != null && !guest.userData().isEmpty()) {
                Files.write(latest.resolve("user_data"), decode(guest.userData()));
            }
        } catch (IOException e) {
            throw new DriverException("cannot write the config drive: " + e.getMessage(), e);
        }
    }

    private static byte[] decode(String userData) throws DriverException {
        try {
            return Base64.getMimeDecoder().decode(userData);
        } catch (IllegalArgumentException e) {
            throw new DriverException("The user data is not valid base64.", e);
        }
    }
}
