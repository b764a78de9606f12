package org.nubes.core.config;

/** One configuration key, its default and what it means. */
public record Setting(String key, String defaultValue, String description) {
    /** NUBES_IDENTITY_TOKEN_EXPIRATION for identity.token_expiration. */
    public String environmentName() {
        return "NUBES_" + key.toUpperCase().replace('.', '_');
    }
}
