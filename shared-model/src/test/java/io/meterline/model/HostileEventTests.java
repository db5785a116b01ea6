package io.meterline.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a careless or hostile producer sends, refused by the shared JSON form and validator with a reason. */
class HostileEventTests {

    @Test
    void aNumberWithAnExponentJacksonCannotHoldIsInvalidJsonNotAFault() {
        // found by HostileInputIT (seed 9529906204320): a 500 before this rule
        byte[] body = "{\"id\":\"h\",\"data\":1.7976931348623157e30348623157e308}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> UsageEventJson.parseTree(body)).isInstanceOf(UsageEventJson.InvalidJsonException.class);
    }

    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    final UsageEventValidator validator = new UsageEventValidator(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(35));

    static String event(String unitsJson) {
        return "{\"id\":\"e1\",\"source\":\"router\",\"type\":\"call.minutes\",\"subject\":\"cust-1\","
                + "\"time\":\"2026-11-21T11:59:00Z\",\"data\":{\"units\":" + unitsJson + "}}";
    }

    UsageEventValidator.Result validate(String json) {
        return validator.validate(UsageEventJson.parseTree(json.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"xyz", "{}", " {\"id\":\"e2\"}", "]", "1", "\"tail\""})
    void trailingContentAfterTheBodyIsNotJson(String trailing) {
        assertThatThrownBy(() -> UsageEventJson.parseTree((event("1") + trailing).getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UsageEventJson.InvalidJsonException.class);
    }

    @Test
    void trailingWhitespaceIsFine() {
        assertThat(validate(event("1") + " \n\t").valid()).isTrue();
    }

    @Test
    void duplicateKeysAreNotJsonWeAccept() {
        assertThatThrownBy(() -> UsageEventJson.parseTree(
                "{\"id\":\"a\",\"id\":\"b\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UsageEventJson.InvalidJsonException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> UsageEventJson.parseTree(event("{\"a\":1,\"a\":2}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UsageEventJson.InvalidJsonException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"id\":\"a\",\"id\":\"b\"}", "{\"data\":{\"x\":{\"y\":[{\"z\":1,\"id\":null,\"id\":2}]}}}",
            "[{\"a\":1},{\"b\":{},\"id\":{},\"c\":3,\"id\":{}}]", "{\"id\":null,\"id\":null}"})
    void aDuplicateKeyAtAnyDepthIsRefusedNamingIt(String json) {
        assertThatThrownBy(() -> UsageEventJson.parseTree(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UsageEventJson.InvalidJsonException.class)
                .hasMessage("Duplicate field 'id'");
    }

    @Test
    void theSameKeyInSiblingObjectsIsNotADuplicate() {
        assertThat(UsageEventJson.parseTree("[{\"id\":1,\"d\":{\"id\":2}},{\"id\":3}]".getBytes(StandardCharsets.UTF_8))
                .toString()).isEqualTo("[{\"id\":1,\"d\":{\"id\":2}},{\"id\":3}]");
    }

    @Test
    void nestingBeyondTheLimitIsNotJsonWeAccept() {
        String deep = "[".repeat(201) + "]".repeat(201);
        assertThatThrownBy(() -> UsageEventJson.parseTree(deep.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UsageEventJson.InvalidJsonException.class)
                .hasMessageContaining("nesting depth");
        assertThat(UsageEventJson.parseTree(("[".repeat(200) + "]".repeat(200)).getBytes(StandardCharsets.UTF_8)))
                .isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e400", "-1e400", "1.7e308", "1e16", "-1000000000000001", "123456789012345678901234567890",
            "1e-400", "1e-10", "0.1234567890123456", "\"1e400\"", "\"-1e16\""})
    void numbersBeyondTheDocumentedRangeOrPrecisionAreRefusedNamingThePath(String units) {
        UsageEventValidator.Result result = validate(event(units));
        assertThat(result.valid()).as(units).isFalse();
        assertThat(result.firstViolation().field()).isEqualTo("data.units");
        assertThat(result.firstViolation().reason()).isEqualTo(UsageEventValidator.NUMBER_OUT_OF_RANGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "1", "-3.5", "1e15", "-1e15", "999999999999999", "0.000000001", "1e-9",
            "12345.6789012345", "\"42\"", "\"not a number\"", "\"NaN\"", "\"Infinity\"", "true", "null"})
    void numbersInsideTheRangeAndNonNumbersAreAccepted(String units) {
        assertThat(validate(event(units)).violations()).as(units).isEmpty();
    }

    @Test
    void numbersDeepInsideDataAreCheckedToo() {
        UsageEventValidator.Result result = validate(event("{\"inner\":[1, {\"deep\": 1e400}]}"));
        assertThat(result.firstViolation().field()).isEqualTo("data.units.inner[1].deep");
        assertThat(result.firstViolation().reason()).isEqualTo(UsageEventValidator.NUMBER_OUT_OF_RANGE);
    }

    @Test
    void acceptedNumbersKeepTheirExactDecimalOnTheWayThrough() {
        UsageEvent event = validate(event("12345.6789012345")).event();
        JsonNode back = UsageEventJson.parseTree(UsageEventJson.toBytes(event)).get("data").get("units");
        assertThat(back.decimalValue()).isEqualByComparingTo("12345.6789012345");
        assertThat(back.doubleValue()).isEqualTo(12345.6789012345);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\u0000", "\\r", "\\n", "\\u001b", "\\u007f", "\\u0085", "\\u202e", "\\u200b", "\\ufeff",
            "\\u2028", "\\u2029", "\\ud800", "\\udc00", "\\ue000", "\\u2066"})
    void identifiersWithControlInvisibleOrBrokenCharactersAreRefused(String escaped) {
        for (String field : new String[] {"id", "source", "subject", "organization"}) {
            String json = event("1").replace("\"time\"", "\"organization\":\"org\",\"time\"")
                    .replace("\"" + field + "\":\"", "\"" + field + "\":\"a" + escaped);
            UsageEventValidator.Result result = validate(json);
            assertThat(result.valid()).as(field + " with " + escaped).isFalse();
            assertThat(result.firstViolation().field()).isEqualTo(field);
            assertThat(result.firstViolation().reason()).isEqualTo(UsageEventValidator.INVALID_CHARACTERS);
            assertThat(result.firstViolation().message()).contains("U+");
        }
    }

    @Test
    void printableUnicodeIdentifiersAreAccepted() {
        String json = event("1").replace("\"cust-1\"", "\"Müller & Söhne 株式会社 😀 ש\"");
        assertThat(validate(json).violations()).isEmpty();
    }

    @Test
    void theSchemaPatternAndTheValidatorAgreeOnEveryCodePointOfTheBasicPlaneAndBeyond() throws Exception {
        JsonNode schema = UsageEventJson.mapper().readTree(getClass().getResourceAsStream("/schema/usage-event.json"));
        for (String field : new String[] {"id", "source", "subject", "organization"}) {
            java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(
                    schema.at("/properties/" + field + "/pattern").textValue());
            for (int codePoint = 0; codePoint <= 0x10FFFF; codePoint += codePoint < 0x30000 ? 1 : 0x101) {
                String text = "a" + new String(Character.toChars(codePoint));
                assertThat(pattern.matcher(text).matches()).as("%s U+%04X", field, codePoint)
                        .isEqualTo(IdentifierCharacters.check(field, text) == null);
            }
        }
    }
}
