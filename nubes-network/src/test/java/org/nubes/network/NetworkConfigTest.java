package org.nubes.network;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nubes.core.config.Config;

class NetworkConfigTest {
    @Test
    void defaultsAndOverrides() {
        assertThat(NetworkConfig.from(Config.defaults()).port()).isEqualTo(9696);
        assertThat(NetworkConfig.from(Config.defaults().with("network.port", "19696")).port()).isEqualTo(19696);
    }
}
