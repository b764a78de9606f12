package org.nubes.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MicroversionTest {
    @Test
    void parsesMajorDotMinor() {
        assertThat(Microversion.parse("2.1")).isEqualTo(new Microversion(2, 1));
        assertThat(Microversion.parse("2.90")).isEqualTo(new Microversion(2, 90));
        assertThat(Microversion.parse("3.0")).isEqualTo(new Microversion(3, 0));
        assertThat(Microversion.parse(" 2.53 ")).isEqualTo(new Microversion(2, 53));
    }

    @Test
    void printsAsParsed() {
        assertThat(Microversion.parse("2.53")).hasToString("2.53");
        assertThat(new Microversion(3, 0)).hasToString("3.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "2", "2.", ".1", "2.1.1", "a.b", "2.x", "x.1", "2,1", "2 .1", "2.-1", "2.+1",
            "+2.1", "-0.1", "latest", "2.99999999999"})
    void anythingElseIs400NamingWhatWasSent(String text) {
        assertThatThrownBy(() -> Microversion.parse(text))
                .as("'%s'", text)
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ApiException.Kind.BAD_REQUEST);
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("Version " + text.strip() + " ").contains("MAJOR.MINOR");
                });
    }

    @Test
    void ordersByMajorThenMinorNumerically() {
        List<Microversion> versions = new ArrayList<>(List.of(
                Microversion.parse("3.0"), Microversion.parse("2.10"), Microversion.parse("2.9"),
                Microversion.parse("2.1"), Microversion.parse("1.99")));
        Collections.shuffle(versions);
        Collections.sort(versions);

        assertThat(versions).extracting(Microversion::toString).containsExactly("1.99", "2.1", "2.9", "2.10", "3.0");
        assertThat(Microversion.parse("2.10").compareTo(Microversion.parse("2.10"))).isZero();
    }

    @Test
    void atLeastIsInclusive() {
        Microversion v = new Microversion(2, 47);

        assertThat(v.atLeast(2, 47)).isTrue();
        assertThat(v.atLeast(2, 46)).isTrue();
        assertThat(v.atLeast(1, 99)).isTrue();
        assertThat(v.atLeast(2, 48)).isFalse();
        assertThat(v.atLeast(3, 0)).isFalse();
    }
}
