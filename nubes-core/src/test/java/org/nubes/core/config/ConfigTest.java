package org.nubes.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    @TempDir
    Path tmp;

    @Test
    void everyKeyDefaultsToItsDocumentedValue() {
        Config defaults = Config.defaults();

        assertThat(Settings.ALL).isNotEmpty().allSatisfy(s ->
                assertThat(defaults.string(s.key())).as(s.key()).isEqualTo(s.defaultValue()));
    }

    @Test
    void theDefaultsOfTheSharedKeysAreTheOnesTheReadmePromises() {
        Config defaults = Config.defaults();

        assertThat(defaults.string("data_dir")).isEqualTo("./var");
        assertThat(defaults.string("http.bind")).isEqualTo("127.0.0.1");
        assertThat(defaults.integer("http.max_request_bytes")).isEqualTo(1 << 20);
        assertThat(defaults.string("database.url")).isEmpty();
        assertThat(defaults.integer("database.pool_size")).isEqualTo(16);
        assertThat(defaults.string("bus.url")).isEmpty();
        assertThat(defaults.integer("identity.port")).isEqualTo(5000);
        assertThat(defaults.seconds("identity.token_expiration")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void theSettingsAreWellFormed() {
        Set<String> keys = new HashSet<>();
        Set<String> variables = new HashSet<>();
        assertThat(Settings.ALL).allSatisfy(s -> {
            assertThat(s.key()).matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
            assertThat(s.defaultValue()).as(s.key()).isNotNull();
            assertThat(s.description()).as(s.key()).isNotBlank();
            assertThat(keys.add(s.key())).as("%s listed once", s.key()).isTrue();
            assertThat(variables.add(s.environmentName())).as("%s has its own variable", s.key()).isTrue();
            assertThat(Settings.isKnown(s.key())).isTrue();
            assertThat(Settings.get(s.key())).isSameAs(s);
        });
        assertThat(Settings.isKnown("http")).isFalse();
        assertThat(Settings.get("nope")).isNull();
    }

    @Test
    void theEnvironmentNameIsTheKeyInCapitalsWithUnderscores() {
        assertThat(Settings.get("identity.token_expiration").environmentName()).isEqualTo("NUBES_IDENTITY_TOKEN_EXPIRATION");
        assertThat(Settings.get("data_dir").environmentName()).isEqualTo("NUBES_DATA_DIR");
    }

    @Test
    void yamlNestingMapsToDottedKeys() throws IOException {
        Path yaml = write("""
                data_dir: /srv/nubes
                http:
                  bind: 0.0.0.0
                  max_request_bytes: 2048
                database:
                  url: jdbc:postgresql://db.example/nubes
                  pool_size: 4
                identity:
                  port: 5001
                  region: RegionTwo
                """);

        Config config = Config.load(yaml, Map.of(), Map.of());

        assertThat(config.string("data_dir")).isEqualTo("/srv/nubes");
        assertThat(config.string("http.bind")).isEqualTo("0.0.0.0");
        assertThat(config.integer("http.max_request_bytes")).isEqualTo(2048);
        assertThat(config.string("database.url")).isEqualTo("jdbc:postgresql://db.example/nubes");
        assertThat(config.integer("database.pool_size")).isEqualTo(4);
        assertThat(config.integer("identity.port")).isEqualTo(5001);
        assertThat(config.string("identity.region")).isEqualTo("RegionTwo");
        assertThat(config.string("http.public_host")).as("untouched keys keep their default").isEqualTo("127.0.0.1");
    }

    @Test
    void dottedKeysMayAlsoBeWrittenFlatInYaml() throws IOException {
        Config config = Config.load(write("identity.port: 5002\n"), Map.of(), Map.of());

        assertThat(config.integer("identity.port")).isEqualTo(5002);
    }

    @Test
    void aYamlNullIsTheEmptyValue() throws IOException {
        Config config = Config.load(write("identity:\n  region: ~\n"), Map.of(), Map.of());

        assertThat(config.string("identity.region")).isEmpty();
    }

    @Test
    void aMissingOrEmptyFileIsJustTheDefaults() throws IOException {
        assertThat(Config.load(tmp.resolve("absent.yaml"), Map.of(), Map.of()).string("identity.port")).isEqualTo("5000");
        assertThat(Config.load(write(""), Map.of(), Map.of()).string("identity.port")).isEqualTo("5000");
        assertThat(Config.load(null, Map.of(), Map.of()).string("identity.port")).isEqualTo("5000");
    }

    @Test
    void anUnreadableFileFailsNamingTheFile() throws IOException {
        Path yaml = write("http:\n  bind: [unclosed\n");

        assertThatThrownBy(() -> Config.load(yaml, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(yaml.toString());
    }

    @Test
    void theEnvironmentBeatsTheFileAndOverridesBeatBoth() throws IOException {
        Path yaml = write("""
                identity:
                  port: 5001
                  region: FromFile
                http:
                  bind: 10.0.0.1
                """);
        Map<String, String> environment = Map.of(
                "NUBES_IDENTITY_PORT", "5002",
                "NUBES_HTTP_BIND", "10.0.0.2",
                "PATH", "/usr/bin",
                "NUBESQUE", "ignored");

        Config fileAndEnvironment = Config.load(yaml, environment, Map.of());
        assertThat(fileAndEnvironment.integer("identity.port")).isEqualTo(5002);
        assertThat(fileAndEnvironment.string("http.bind")).isEqualTo("10.0.0.2");
        assertThat(fileAndEnvironment.string("identity.region")).isEqualTo("FromFile");

        Config all = Config.load(yaml, environment, Map.of("identity.port", "5003"));
        assertThat(all.integer("identity.port")).isEqualTo(5003);
        assertThat(all.string("http.bind")).isEqualTo("10.0.0.2");
        assertThat(all.string("identity.region")).isEqualTo("FromFile");
    }

    @Test
    void theEnvironmentAloneOverridesTheDefaults() {
        Config config = Config.load(null, Map.of("NUBES_DATA_DIR", "/data", "NUBES_IDENTITY_TOKEN_EXPIRATION", "60"), Map.of());

        assertThat(config.path("data_dir")).isEqualTo(Path.of("/data"));
        assertThat(config.seconds("identity.token_expiration")).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void testVariablesAreNotConfiguration() {
        Config config = Config.load(null, Map.of("NUBES_TEST_POSTGRES", "skip", "NUBES_TEST_ANYTHING", "x"), Map.of());

        assertThat(config.string("database.url")).isEmpty();
    }

    @Test
    void anUnknownYamlKeyFailsWithTheNearestKey() throws IOException {
        Path yaml = write("""
                identity:
                  token_expiratoin: 60
                """);

        assertThatThrownBy(() -> Config.load(yaml, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("identity.token_expiratoin")
                .hasMessageContaining("did you mean 'identity.token_expiration'")
                .hasMessageContaining(yaml.toString());
    }

    @Test
    void aSectionWrittenAsAValueIsAnUnknownKey() throws IOException {
        Path yaml = write("http: 8080\n");

        assertThatThrownBy(() -> Config.load(yaml, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'http'");
    }

    @Test
    void anUnknownVariableFailsWithTheNearestVariable() {
        assertThatThrownBy(() -> Config.load(null, Map.of("NUBES_IDENTITY_PROT", "5001"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("NUBES_IDENTITY_PROT")
                .hasMessageContaining("did you mean NUBES_IDENTITY_PORT");
        assertThatThrownBy(() -> Config.load(null, Map.of("NUBES_DATADIR", "/x"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("NUBES_DATA_DIR");
    }

    @Test
    void anUnknownOverrideFailsWithTheNearestKey() {
        assertThatThrownBy(() -> Config.load(null, Map.of(), Map.of("http.bnd", "0.0.0.0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'http.bnd'")
                .hasMessageContaining("the command line")
                .hasMessageContaining("did you mean 'http.bind'");
        assertThatThrownBy(() -> Config.defaults().with("database.poolsize", "3"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("did you mean 'database.pool_size'");
    }

    @Test
    void withReplacesOneKeyAndLeavesTheOriginalAlone() {
        Config defaults = Config.defaults();
        Config changed = defaults.with("identity.port", "0");

        assertThat(changed.integer("identity.port")).isZero();
        assertThat(defaults.integer("identity.port")).isEqualTo(5000);
    }

    @Test
    void askingForAKeyThatDoesNotExistIsAProgrammingError() {
        assertThatThrownBy(() -> Config.defaults().string("identity.nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("identity.nope");
    }

    @Test
    void anIntegerThatDoesNotParseNamesTheKeyAndTheValue() {
        Config config = Config.load(null, Map.of("NUBES_IDENTITY_PORT", "50OO"), Map.of());

        assertThatThrownBy(() -> config.integer("identity.port"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("identity.port")
                .hasMessageContaining("'50OO'");
        assertThatThrownBy(() -> config.seconds("identity.port"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("identity.port");
        assertThatThrownBy(() -> HttpConfig.from(Config.defaults().with("http.max_request_bytes", "1MB")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.max_request_bytes");
        assertThatThrownBy(() -> DatabaseConfig.from(Config.defaults().with("database.pool_size", "")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("database.pool_size");
    }

    @Test
    void integersMaySurroundThemselvesWithSpace() {
        assertThat(Config.defaults().with("identity.port", " 5001 ").integer("identity.port")).isEqualTo(5001);
    }

    @Test
    void httpConfigMapsItsKeys() {
        HttpConfig defaults = HttpConfig.from(Config.defaults());
        assertThat(defaults).isEqualTo(new HttpConfig("127.0.0.1", "127.0.0.1", 1_048_576));
        assertThat(defaults.url(5000)).isEqualTo("http://127.0.0.1:5000");

        HttpConfig set = HttpConfig.from(Config.load(null, Map.of(), Map.of(
                "http.bind", "0.0.0.0", "http.public_host", "cloud.example", "http.max_request_bytes", "4096")));
        assertThat(set).isEqualTo(new HttpConfig("0.0.0.0", "cloud.example", 4096));
        assertThat(set.url(8774)).isEqualTo("http://cloud.example:8774");
    }

    @Test
    void anEmptyDatabaseUrlIsTheEmbeddedH2FileUnderTheDataDirectory() {
        DatabaseConfig db = DatabaseConfig.from(Config.defaults().with("data_dir", tmp.toString()));

        assertThat(db.url()).isEqualTo("jdbc:h2:file:" + tmp.toAbsolutePath().resolve("db").resolve("nubes")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;QUERY_CACHE_SIZE=256;LOCK_TIMEOUT=30000");
        assertThat(db.isPostgres()).isFalse();
        assertThat(db.user()).isEmpty();
        assertThat(db.password()).isEmpty();
        assertThat(db.poolSize()).isEqualTo(16);
    }

    @Test
    void aRelativeDataDirectoryGivesAnAbsoluteH2Path() {
        DatabaseConfig db = DatabaseConfig.from(Config.defaults());

        assertThat(db.url()).startsWith("jdbc:h2:file:" + Path.of("./var").toAbsolutePath().resolve("db"));
        assertThat(Path.of(db.url().substring("jdbc:h2:file:".length(), db.url().indexOf(';'))).isAbsolute()).isTrue();
    }

    @Test
    void aPostgresUrlIsUsedAsGiven() {
        DatabaseConfig db = DatabaseConfig.from(Config.load(null, Map.of(
                "NUBES_DATABASE_URL", "jdbc:postgresql://db.example:5432/nubes",
                "NUBES_DATABASE_USER", "nubes",
                "NUBES_DATABASE_PASSWORD", "s3cret",
                "NUBES_DATABASE_POOL_SIZE", "32"), Map.of()));

        assertThat(db).isEqualTo(new DatabaseConfig("jdbc:postgresql://db.example:5432/nubes", "nubes", "s3cret", 32));
        assertThat(db.isPostgres()).isTrue();
    }

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(tmp, "nubes", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
