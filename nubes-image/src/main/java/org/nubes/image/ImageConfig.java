package org.nubes.image;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.nubes.core.config.Config;

/** The image service's settings (see {@link org.nubes.core.config.Settings} for defaults). */
public record ImageConfig(
        int port,
        Path storeDir,
        List<String> diskFormats,
        List<String> containerFormats,
        long quotaImages,
        long quotaBytes,
        long maxImageBytes) {

    public static ImageConfig from(Config config) {
        String storeDir = config.string("image.store_dir");
        return new ImageConfig(
                config.integer("image.port"),
                storeDir.isBlank() ? config.path("data_dir").resolve("images") : Path.of(storeDir),
                list(config.string("image.disk_formats")),
                list(config.string("image.container_formats")),
                Long.parseLong(config.string("image.quota_images").strip()),
                Long.parseLong(config.string("image.quota_bytes").strip()),
                Long.parseLong(config.string("image.max_image_bytes").strip()));
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
