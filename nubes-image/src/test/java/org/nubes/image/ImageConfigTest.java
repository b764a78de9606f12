package org.nubes.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nubes.core.config.Config;

/** ImageConfig's defaults and how keys map onto it. */
class ImageConfigTest {
    @Test
    void defaults() {
        ImageConfig config = ImageConfig.from(Config.defaults().with("data_dir", "/tmp/nubes-data"));
        assertThat(config.port()).isEqualTo(9292);
        assertThat(config.storeDir()).isEqualTo(Path.of("/tmp/nubes-data/images"));
        assertThat(config.diskFormats()).contains("raw", "qcow2", "iso");
        assertThat(config.containerFormats()).contains("bare", "ovf", "docker");
        assertThat(config.quotaImages()).isEqualTo(-1);
        assertThat(config.quotaBytes()).isEqualTo(-1);
        assertThat(config.maxImageBytes()).isEqualTo(1L << 40);
    }

    @Test
    void mapping() {
        ImageConfig config = ImageConfig.from(Config.defaults()
                .with("image.port", "19292").with("image.store_dir", "/srv/images")
                .with("image.disk_formats", " raw , qcow2 ,").with("image.container_formats", "bare")
                .with("image.quota_images", "10").with("image.quota_bytes", "2048").with("image.max_image_bytes", "1024"));
        assertThat(config.port()).isEqualTo(19292);
        assertThat(config.storeDir()).isEqualTo(Path.of("/srv/images"));
        assertThat(config.diskFormats()).containsExactly("raw", "qcow2");
        assertThat(config.containerFormats()).containsExactly("bare");
        assertThat(config.quotaImages()).isEqualTo(10);
        assertThat(config.quotaBytes()).isEqualTo(2048);
        assertThat(config.maxImageBytes()).isEqualTo(1024);
    }
}
