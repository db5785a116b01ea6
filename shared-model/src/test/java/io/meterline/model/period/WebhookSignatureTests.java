package io.meterline.model.period;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignatureTests {

    static final String SECRET = "whsec_test_" + Long.toHexString(System.nanoTime());
    static final String BODY = "{\"id\":\"m|c||day|1764028800|r0\",\"value\":42.0}";

    @Test
    void aSignedBodyVerifiesWithTheSameSecret() {
        String header = WebhookSignature.header(SECRET, 1_764_400_000L, BODY);
        assertThat(header).matches("t=1764400000,v1=[0-9a-f]{64}");
        assertThat(WebhookSignature.verify(SECRET, header, BODY, 1_764_400_100L, 300)).isTrue();
    }

    @Test
    void aChangedBodyOrAnotherSecretFailsVerification() {
        String header = WebhookSignature.header(SECRET, 1_764_400_000L, BODY);
        assertThat(WebhookSignature.verify(SECRET, header, BODY.replace("42", "43"), 1_764_400_000L, 300)).isFalse();
        assertThat(WebhookSignature.verify(SECRET + "x", header, BODY, 1_764_400_000L, 300)).isFalse();
    }

    @Test
    void anOldTimestampIsRejectedAsAReplay() {
        String header = WebhookSignature.header(SECRET, 1_764_400_000L, BODY);
        assertThat(WebhookSignature.verify(SECRET, header, BODY, 1_764_400_000L + 301, 300)).isFalse();
    }

    @Test
    void malformedHeadersAreRejected() {
        assertThat(WebhookSignature.verify(SECRET, null, BODY, 0, 300)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, "v1=abc", BODY, 0, 300)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, "t=x,v1=abc", BODY, 0, 300)).isFalse();
    }
}
