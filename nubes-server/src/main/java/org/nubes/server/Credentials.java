package org.nubes.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The admin's credentials under the data directory, in the two forms OpenStack clients read:
 * clouds.yaml (cloud "nubes") and an openrc to source. The admin password exists only in these
 * files (and as a bcrypt hash); later starts read it back to rewrite them with current URLs.
 */
final class Credentials {
    static final String CLOUD = "nubes";
    static final String SERVICE_PASSWORD_FILE = "service-password";

    record Admin(String authUrl, String password, String region) {}

    private Credentials() {}

    /** The admin password remembered in clouds.yaml, or null. */
    static String rememberedPassword(Path dataDir) {
        Path file = dataDir.resolve("clouds.yaml");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            return root.path("clouds").path(CLOUD).path("auth").path("password").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** The service user's password written at the first start; 503 for callers when it is gone. */
    static String servicePassword(Path dataDir) {
        Path file = dataDir.resolve(SERVICE_PASSWORD_FILE);
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new org.nubes.core.http.ApiException(org.nubes.core.http.ApiException.Kind.UNAVAILABLE,
                    "The service user's password is not in " + file + "; set identity.service_password.");
        }
    }

    static void write(Path dataDir, Admin admin) {
        write(dataDir.resolve("clouds.yaml"), """
                clouds:
                  %s:
                    auth:
                      auth_url: %s
                      username: admin
                      password: %s
                      project_name: admin
                      user_domain_name: Default
                      project_domain_name: Default
                    region_name: %s
                    interface: public
                    identity_api_version: 3
                """.formatted(CLOUD, admin.authUrl(), admin.password(), admin.region()));
        write(dataDir.resolve("openrc"), """
                export OS_AUTH_URL=%s
                export OS_USERNAME=admin
                export OS_PASSWORD='%s'
                export OS_PROJECT_NAME=admin
                export OS_USER_DOMAIN_NAME=Default
                export OS_PROJECT_DOMAIN_NAME=Default
                export OS_REGION_NAME=%s
                export OS_IDENTITY_API_VERSION=3
                export OS_INTERFACE=public
                """.formatted(admin.authUrl(), admin.password(), admin.region()));
    }

    /** Writes a secret file readable by its owner only, replacing the old one at once. */
    static void write(Path file, String content) {
        try {
            Path temp = Files.createTempFile(file.getParent(), ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, content);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
