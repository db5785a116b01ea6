package io.meterline.model.api;

import io.meterline.model.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemCodeTests {

    @Test
    void everyCommonCodeHasAStatusATitleAndASnakeCaseCode() {
        for (CommonProblem code : CommonProblem.values()) {
            assertThat(code.status()).isBetween(400, 599);
            assertThat(code.title()).isNotBlank();
            assertThat(code.code()).matches("[a-z]+(_[a-z]+)*");
        }
    }

    @Test
    void problemCarriesTheCodeItsTypeAndTheFieldsAtFault() {
        Problem problem = CommonProblem.UNSUPPORTED_MEDIA_TYPE.problem("send JSON",
                List.of(new Violation("body", "wrong_type", "not JSON")));
        assertThat(problem.code()).isEqualTo("unsupported_media_type");
        assertThat(problem.type()).isEqualTo("https://meterline.io/problems/unsupported_media_type");
        assertThat(problem.status()).isEqualTo(415);
        assertThat(problem.errors()).extracting(Violation::field).containsExactly("body");
    }

    @Test
    void transportStatusMapsToItsCommonCodeOrToAnHttpCode() {
        assertThat(CommonProblem.forStatus(405, "Method Not Allowed").code()).isEqualTo("method_not_allowed");
        Problem other = CommonProblem.forStatus(409, "Conflict");
        assertThat(other.code()).isEqualTo("http_409");
        assertThat(other.title()).isEqualTo("Conflict");
        assertThat(other.status()).isEqualTo(409);
    }
}
