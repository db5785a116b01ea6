package io.meterline.devstack.testing;

import com.stripe.StripeClient;
import com.stripe.model.Customer;
import com.stripe.param.CustomerCreateParams;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StripeStandInResourceTests {

    @Test
    void resourcePointsBothServicesAtTheSharedStandInWithATestKeyAndSigningSecret() throws Exception {
        Map<String, String> config = new StripeStandInResource().start();
        assertThat(config.get("billing.stripe.api-base")).isEqualTo(SharedInfrastructure.stripe().apiBase());
        assertThat(config.get("webhook.stripe.api-base")).isEqualTo(SharedInfrastructure.stripe().apiBase());
        assertThat(config.get("billing.stripe.api-key")).startsWith("sk_test_");
        assertThat(config.get("webhook.signing-secrets")).startsWith("whsec_").isEqualTo(StripeStandInResource.signingSecret());

        StripeClient client = StripeClient.builder().setApiKey(config.get("billing.stripe.api-key"))
                .setApiBase(config.get("billing.stripe.api-base")).build();
        Customer customer = client.v1().customers().create(CustomerCreateParams.builder().setName("shared").build());
        assertThat(SharedInfrastructure.stripe().object(customer.getId()).get("name").asText()).isEqualTo("shared");
    }
}
