package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectStoreConfigTest {
    private static Map<String, String> defaults() {
        Map<String, String> values = new HashMap<>();
        ObjectStoreConfig.SETTINGS.forEach(s -> values.put(s.key(), s.defaultValue()));
        values.put("data_dir", "/var/nubes");
        return values;
    }

    @Test
    void defaults_() {
        ObjectStoreConfig config = ObjectStoreConfig.from(defaults()::get);
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.devicesDir()).isEqualTo(Path.of("/var/nubes/objects"));
        assertThat(config.replicas()).isEqualTo(3);
        assertThat(config.partPower()).isEqualTo(10);
        assertThat(config.devices()).isEqualTo(3);
        assertThat(config.maxFileSize()).isEqualTo(5368709122L);
        assertThat(config.listingLimit()).isEqualTo(10000);
        assertThat(config.expirerInterval()).isEqualTo(60);
    }

    @Test
    void mapping() {
        Map<String, String> values = defaults();
        values.put("objectstore.devices_dir", "/srv/node");
        values.put("objectstore.port", "18080");
        values.put("objectstore.devices", "5");
        values.put("objectstore.replicas", "2");
        values.put("objectstore.expirer_interval", "5");
        ObjectStoreConfig config = ObjectStoreConfig.from(values::get);
        assertThat(config.devicesDir()).isEqualTo(Path.of("/srv/node"));
        assertThat(config.port()).isEqualTo(18080);
        assertThat(config.devices()).isEqualTo(5);
        assertThat(config.replicas()).isEqualTo(2);
        assertThat(config.expirerInterval()).isEqualTo(5);
    }

    @Test
    void moreReplicasThanDevicesFailsAtStart() {
        Map<String, String> values = defaults();
        values.put("objectstore.replicas", "4");
        assertThatThrownBy(() -> ObjectStoreConfig.from(values::get)).hasMessageContaining("objectstore.replicas");
    }

    @Test
    void everySettingIsDocumentedAndNamespaced() {
        assertThat(ObjectStoreConfig.SETTINGS).allSatisfy(s -> {
            assertThat(s.key()).startsWith("objectstore.");
            assertThat(s.description()).isNotBlank();
        });
    }
}
