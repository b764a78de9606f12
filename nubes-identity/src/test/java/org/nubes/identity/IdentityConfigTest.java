package org.nubes.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nubes.core.config.Config;

class IdentityConfigTest {
    @Test
    void defaults() {
        IdentityConfig config = IdentityConfig.from(Config.defaults());
        assertThat(config.port()).isEqualTo(5000);
        assertThat(config.publicUrl()).isEqualTo("http://127.0.0.1:5000");
        assertThat(config.region()).isEqualTo("RegionOne");
        assertThat(config.tokenExpiration()).isEqualTo(Duration.ofHours(1));
        assertThat(config.allowExpiredWindow()).isEqualTo(Duration.ofDays(2));
        assertThat(config.bcryptCost()).isEqualTo(12);
        assertThat(config.maxActiveKeys()).isEqualTo(3);
        assertThat(config.adminPassword()).isEmpty();
        assertThat(config.fernetKeys()).isEqualTo(Path.of("./var/fernet-keys"));
    }

    @Test
    void environmentAndOverridesMapToTheRecord() {
        Config config = Config.load(null,
                Map.of("NUBES_IDENTITY_PORT", "5001", "NUBES_IDENTITY_TOKEN_EXPIRATION", "600", "NUBES_HTTP_PUBLIC_HOST", "cloud.test"),
                Map.of("data_dir", "/srv/nubes", "identity.region", "RegionTwo"));
        IdentityConfig identity = IdentityConfig.from(config);
        assertThat(identity.port()).isEqualTo(5001);
        assertThat(identity.publicUrl()).isEqualTo("http://cloud.test:5001");
        assertThat(identity.tokenExpiration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(identity.region()).isEqualTo("RegionTwo");
        assertThat(identity.fernetKeys()).isEqualTo(Path.of("/srv/nubes/fernet-keys"));
    }
}
