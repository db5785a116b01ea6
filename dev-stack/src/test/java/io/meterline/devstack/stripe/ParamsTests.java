package io.meterline.devstack.stripe;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ParamsTests {

    @Test
    void nestedBracketKeysBecomeListsAndHashes() {
        Params p = Params.parse("customer=cus_1&items%5B0%5D%5Bprice%5D=price_a&items%5B1%5D%5Bprice%5D=price_b"
                + "&items%5B1%5D%5Bquantity%5D=2&metadata%5Bteam%5D=core&expand%5B0%5D=customer&expand%5B%5D=latest_invoice");
        assertThat(p.str("customer")).isEqualTo("cus_1");
        List<Params> items = p.paramsList("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(0).str("price")).isEqualTo("price_a");
        assertThat(items.get(1).longValue("quantity")).isEqualTo(2L);
        assertThat(p.stringMap("metadata")).isEqualTo(Map.of("team", "core"));
        assertThat(p.strings("expand")).containsExactly("customer", "latest_invoice");
    }

    @Test
    void emptyValueMeansUnset() {
        Params p = Params.parse("description=&metadata%5Bk%5D=");
        assertThat(p.str("description")).isNull();
        assertThat(p.isUnset("description")).isTrue();
        assertThat(p.stringMap("metadata")).containsEntry("k", "");
    }

    @Test
    void fingerprintIgnoresParameterOrder() {
        assertThat(Params.parse("a=1&b=2").fingerprint()).isEqualTo(Params.parse("b=2&a=1").fingerprint());
        assertThat(Params.parse("a=1&b=2").fingerprint()).isNotEqualTo(Params.parse("a=1&b=3").fingerprint());
    }

    @Test
    void signatureFollowsStripesScheme() {
        String header = WebhookSender.signatureHeader("whsec_test", 1700000000L, "{}");
        assertThat(header).startsWith("t=1700000000,v1=")
                .endsWith(WebhookSender.hmacSha256("whsec_test", "1700000000.{}"));
    }
}
