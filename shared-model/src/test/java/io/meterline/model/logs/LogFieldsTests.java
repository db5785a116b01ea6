package io.meterline.model.logs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogFieldsTests {

    @Test
    void aWellFormedIncomingRequestIdIsKept() {
        assertThat(LogFields.requestId("req-42_a.b:c/d+e=f@g")).isEqualTo("req-42_a.b:c/d+e=f@g");
    }

    @Test
    void aMissingRequestIdIsGenerated() {
        String first = LogFields.requestId(null);
        assertThat(first).matches("[0-9a-f-]{36}").isNotEqualTo(LogFields.requestId(null));
    }

    @Test
    void aRequestIdThatCouldForgeALogLineOrBreakJsonIsReplaced() {
        for (String hostile : new String[] {"", "a b", "a\nINFO forged", "a\"b", "x".repeat(129), "caf\u00e9", "a\u202eb"}) {
            assertThat(LogFields.requestId(hostile)).as(hostile).matches("[0-9a-f-]{36}");
        }
    }
}
