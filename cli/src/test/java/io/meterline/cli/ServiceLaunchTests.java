package io.meterline.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceLaunchTests {

    @Test
    void secretsGoThroughTheEnvironmentNeverTheCommandLine() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.http.port", "8083");
        config.put("webhook.stripe.api-key", "sk_test_secret_key");
        config.put("webhook.signing-secrets", "whsec_secret_one");
        config.put("billing.stripe.api-key", "sk_test_other_secret");

        ServiceLaunch launch = ServiceLaunch.of("java", Path.of("service.jar"), config);

        assertThat(String.join(" ", launch.command())).doesNotContain("sk_test_secret_key")
                .doesNotContain("whsec_secret_one").doesNotContain("sk_test_other_secret")
                .contains("-Dquarkus.http.port=8083");
        assertThat(launch.environment()).containsEntry("WEBHOOK_STRIPE_API_KEY", "sk_test_secret_key")
                .containsEntry("WEBHOOK_SIGNING_SECRETS", "whsec_secret_one")
                .containsEntry("BILLING_STRIPE_API_KEY", "sk_test_other_secret");
    }

    @Test
    void anyKeyNamedLikeASecretIsTreatedAsOne() {
        ServiceLaunch launch = ServiceLaunch.of("java", Path.of("x.jar"),
                Map.of("foo.client-secret", "a", "foo.password", "b", "foo.api-key", "c", "foo.token", "d"));
        assertThat(launch.command()).noneMatch(arg -> arg.endsWith("=a") || arg.endsWith("=b") || arg.endsWith("=c")
                || arg.endsWith("=d"));
        assertThat(launch.environment()).containsKeys("FOO_CLIENT_SECRET", "FOO_PASSWORD", "FOO_API_KEY", "FOO_TOKEN");
    }

    @Test
    void billingWithTheDefaultHeapGetsAFixedYoungGenerationOtherServicesAndLargerHeapsKeepTheCollectorsSizing() {
        assertThat(ServiceLaunch.serviceOptions("billing", ServiceLaunch.DEFAULT_HEAP)).containsExactly("-Xmn256m");
        assertThat(ServiceLaunch.serviceOptions("billing", "3g")).isEmpty();
        assertThat(ServiceLaunch.serviceOptions("ingest", ServiceLaunch.DEFAULT_HEAP)).isEmpty();
        assertThat(ServiceLaunch.serviceOptions("webhook", ServiceLaunch.DEFAULT_HEAP)).isEmpty();
    }
}
