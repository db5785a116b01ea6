package io.meterline.model.security;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class CustomersClaimTests {

    @Test
    void anAbsentClaimLeavesTheTokenUnscopedByCustomer() {
        CustomersClaim claim = CustomersClaim.parse(null);
        assertThat(claim.restricted()).isFalse();
        assertThat(claim.allows("acme")).isTrue();
    }

    @Test
    void anArrayOfStringsScopesToExactlyThoseCustomers() {
        CustomersClaim claim = CustomersClaim.parse(Json.createArrayBuilder().add("acme").add("globex").build());
        assertThat(claim.restricted()).isTrue();
        assertThat(claim.customers()).containsExactlyInAnyOrder("acme", "globex");
        assertThat(claim.allows("acme")).isTrue();
        assertThat(claim.allows("initech")).isFalse();
    }

    @Test
    void aPlainJavaListOfStringsIsReadTheSameWay() {
        assertThat(CustomersClaim.parse(List.of("acme")).customers()).containsExactly("acme");
    }

    /** Every present shape that is not a non-empty array of non-blank strings. */
    static Stream<Arguments> malformedClaims() {
        return Stream.of(
                Arguments.of("empty array", Json.createArrayBuilder().build()),
                Arguments.of("empty Java list", List.of()),
                Arguments.of("object", Json.createObjectBuilder().add("acme", true).build()),
                Arguments.of("number", Json.createValue(42)),
                Arguments.of("bare string", "acme"),
                Arguments.of("bare JSON string", Json.createValue("acme")),
                Arguments.of("JSON null", JsonValue.NULL),
                Arguments.of("true", JsonValue.TRUE),
                Arguments.of("array with a number", Json.createArrayBuilder().add("acme").add(42).build()),
                Arguments.of("array with an object", Json.createArrayBuilder().add(Json.createObjectBuilder()).build()),
                Arguments.of("array with null", Json.createArrayBuilder().add("acme").addNull().build()),
                Arguments.of("array with a blank string", Json.createArrayBuilder().add("acme").add(" ").build()),
                Arguments.of("nested array", Json.createArrayBuilder().add(Json.createArrayBuilder().add("acme")).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedClaims")
    void aPresentClaimOfAnyOtherShapeAllowsNothing(String shape, Object value) {
        CustomersClaim claim = CustomersClaim.parse(value);
        assertThat(claim.restricted()).isTrue();
        assertThat(claim.customers()).isEmpty();
        for (String customer : Set.of("acme", "", "42", "[\"acme\"]")) {
            assertThat(claim.allows(customer)).as(customer).isFalse();
        }
    }
}
