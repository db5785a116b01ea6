package io.meterline.deploy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromQlTests {

    @Test
    void namesAreReadOutsideFunctionsLabelsRangesAndGroupings() {
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le, operation) "
                + "(rate(meterline_stripe_calls_seconds_bucket{code=~\"4..\", x=\"a(b)\"}[5m])))"))
                .containsExactly("meterline_stripe_calls_seconds_bucket");
        assertThat(PromQl.metricNames("time() - max(a_b) > 7200\nand min(c_d{service=\"x\"}) > 1e3"))
                .containsExactly("a_b", "c_d");
        assertThat(PromQl.metricNames("deriv(sum by (service) (lag_max)[10m:1m]) > 0 unless on (pod) up"))
                .containsExactly("lag_max", "up");
    }
}
