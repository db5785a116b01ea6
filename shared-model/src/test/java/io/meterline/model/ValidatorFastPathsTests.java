package io.meterline.model;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The validator's hand-written checks decide exactly as the patterns and Unicode rules they replace. */
class ValidatorFastPathsTests {

    @Test
    void typeFormatAgreesWithItsPattern() {
        Random random = new Random(5);
        String alphabet = "aZ09._:/-  é\u0000\n+*\u212A";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder type = new StringBuilder();
            for (int n = random.nextInt(6); n > 0; n--) {
                type.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = type.toString();
            assertThat(UsageEventValidator.typeFormat(text)).as(text)
                    .isEqualTo(UsageEventValidator.TYPE_PATTERN.matcher(text).matches());
        }
    }

    @Test
    void identifierCharactersAgreeWithTheUnicodeCategoriesForEveryCharacter() {
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            String text = "a" + (char) c + "b";
            boolean allowed = Character.isSurrogate((char) c) ? false : IdentifierCharacters.allowed(c);
            assertThat(IdentifierCharacters.check("id", text) == null).as("U+%04X", c).isEqualTo(allowed);
        }
    }

    @Test
    void numericTextIsRecognisedAsBefore() {
        for (String text : new String[] {"1", "-1", "0.5", "1e3", "-0", "eu-west-1", "/v1", "", "+1", ".5", "1.",
                "01", "-", "١"}) {
            boolean number = text.matches("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");
            assertThat(UsageNumbers.parseNumericText(text) != null).as(text).isEqualTo(number);
        }
    }
}
