package org.nubes.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.auth.Access;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.ApiClient.Response;

/** Microversion negotiation on a real request, through {@link HttpService}. */
class MicroversionRangeTest {
    private static final String HEADER = "OpenStack-API-Version";
    private static final String LEGACY = "X-OpenStack-Nova-API-Version";
    static final MicroversionRange COMPUTE =
            new MicroversionRange("compute", LEGACY, Microversion.parse("2.1"), Microversion.parse("2.90"));
    static final MicroversionRange VOLUME =
            new MicroversionRange("volume", null, Microversion.parse("3.0"), Microversion.parse("3.70"));

    private static TestApi api;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        api = TestApi.start(r -> r
                .get("/compute", Access.PUBLIC, ctx -> Http.json(ctx, Map.of("version", COMPUTE.negotiate(ctx).toString())))
                .get("/volume", Access.PUBLIC, ctx -> Http.json(ctx, Map.of("version", VOLUME.negotiate(ctx).toString()))));
        client = api.anonymous();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static Response compute(String... headers) {
        return client.send("GET", "/compute", null, headers);
    }

    @Test
    void noHeaderMeansTheMinimumAndIsEchoed() {
        Response r = compute();

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("version").asText()).isEqualTo("2.1");
        assertThat(r.header(HEADER)).isEqualTo("compute 2.1");
        assertThat(r.header(LEGACY)).isEqualTo("2.1");
        assertThat(r.header("Vary")).isEqualTo(HEADER + ", " + LEGACY);
    }

    @Test
    void theStandardHeaderChoosesTheVersion() {
        Response r = compute(HEADER, "compute 2.53");

        assertThat(r.json().path("version").asText()).isEqualTo("2.53");
        assertThat(r.header(HEADER)).isEqualTo("compute 2.53");
        assertThat(r.header(LEGACY)).isEqualTo("2.53");
    }

    @Test
    void theBoundsAreInclusive() {
        assertThat(compute(HEADER, "compute 2.1").json().path("version").asText()).isEqualTo("2.1");
        assertThat(compute(HEADER, "compute 2.90").json().path("version").asText()).isEqualTo("2.90");
    }

    @Test
    void serviceTypeAndLatestAreCaseInsensitive() {
        assertThat(compute(HEADER, "Compute 2.5").json().path("version").asText()).isEqualTo("2.5");
        assertThat(compute(HEADER, "compute LATEST").json().path("version").asText()).isEqualTo("2.90");
    }

    @Test
    void latestMeansTheMaximum() {
        Response r = compute(HEADER, "compute latest");

        assertThat(r.json().path("version").asText()).isEqualTo("2.90");
        assertThat(r.header(HEADER)).isEqualTo("compute 2.90");
    }

    @Test
    void theLegacyHeaderIsHonouredWhenTheStandardOneIsAbsent() {
        Response r = compute(LEGACY, "2.37");

        assertThat(r.json().path("version").asText()).isEqualTo("2.37");
        assertThat(r.header(HEADER)).isEqualTo("compute 2.37");
        assertThat(r.header(LEGACY)).isEqualTo("2.37");
        assertThat(compute(LEGACY, "latest").json().path("version").asText()).isEqualTo("2.90");
    }

    @Test
    void theStandardHeaderWinsOverTheLegacyOne() {
        assertThat(compute(HEADER, "compute 2.60", LEGACY, "2.10").json().path("version").asText()).isEqualTo("2.60");
    }

    @Test
    void otherServiceTypesInTheHeaderAreIgnored() {
        assertThat(compute(HEADER, "volume 3.50").json().path("version").asText()).isEqualTo("2.1");
        assertThat(compute(HEADER, "volume 3.50, compute 2.42").json().path("version").asText()).isEqualTo("2.42");
        assertThat(compute(HEADER, "compute 2.42,volume 3.50").json().path("version").asText()).isEqualTo("2.42");
        assertThat(compute(HEADER, "volume 3.50", LEGACY, "2.11").json().path("version").asText()).isEqualTo("2.11");
        assertThat(compute(HEADER, "volume 9.99").status()).isEqualTo(200);
        assertThat(compute(HEADER, "volume nonsense").status()).isEqualTo(200);
    }

    /** A header sent as several fields means the same as one comma-separated field (RFC 9110, 5.3). */
    @Test
    void theHeaderMayComeAsSeveralFields() {
        Response r = compute(HEADER, "volume 3.50", HEADER, "compute 2.42");

        assertThat(r.json().path("version").asText()).isEqualTo("2.42");
    }

    @Test
    void aVersionOutsideTheRangeIs406InTheServicesFaultFormat() {
        for (String version : new String[] {"2.0", "2.91", "1.99", "3.0"}) {
            Response r = compute(HEADER, "compute " + version);

            assertThat(r.status()).as(version).isEqualTo(406);
            JsonNode fault = r.json().path("testFault");
            assertThat(fault.path("kind").asText()).isEqualTo("NOT_ACCEPTABLE");
            assertThat(fault.path("message").asText()).contains(version).contains("2.1").contains("2.90");
        }
        assertThat(compute(LEGACY, "2.91").status()).isEqualTo(406);
    }

    @Test
    void aMalformedVersionIs400() {
        for (String version : new String[] {"2", "two.one", "2.1.1", "2.x"}) {
            Response r = compute(HEADER, "compute " + version);

            assertThat(r.status()).as(version).isEqualTo(400);
            assertThat(r.json().path("testFault").path("kind").asText()).isEqualTo("BAD_REQUEST");
        }
        assertThat(compute(LEGACY, "2").status()).isEqualTo(400);
    }

    @Test
    void anApiWithoutLegacyHeaderNegotiatesAndEchoesOnlyTheStandardOne() {
        Response none = client.get("/volume");
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().path("version").asText()).isEqualTo("3.0");
        assertThat(none.header(HEADER)).isEqualTo("volume 3.0");
        assertThat(none.header("Vary")).isEqualTo(HEADER);

        Response chosen = client.send("GET", "/volume", null, HEADER, "volume 3.44");
        assertThat(chosen.json().path("version").asText()).isEqualTo("3.44");
        assertThat(chosen.header(HEADER)).isEqualTo("volume 3.44");

        assertThat(client.send("GET", "/volume", null, HEADER, "volume 3.71").status()).isEqualTo(406);
        assertThat(client.send("GET", "/volume", null, LEGACY, "2.5").json().path("version").asText()).isEqualTo("3.0");
    }

    @Test
    void chooseWithoutHttp() {
        assertThat(COMPUTE.choose(null)).isEqualTo(COMPUTE.min());
        assertThat(COMPUTE.choose(" ")).isEqualTo(COMPUTE.min());
        assertThat(COMPUTE.choose("latest")).isEqualTo(COMPUTE.max());
        assertThat(COMPUTE.requested("compute 2.3, volume 3.1", "2.9")).isEqualTo("2.3");
        assertThat(COMPUTE.requested("volume 3.1", "2.9")).isEqualTo("2.9");
        assertThat(COMPUTE.requested(null, null)).isNull();
    }
}
