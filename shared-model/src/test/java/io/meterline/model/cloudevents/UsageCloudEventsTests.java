package io.meterline.model.cloudevents;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.model.UsageEventJson;
import io.meterline.model.Violation;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class UsageCloudEventsTests {

    private static JsonNode json(String text) {
        return UsageEventJson.parseTree(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void structuredEventMapsAttributesAndOrganizationExtension() {
        UsageCloudEvents.Mapped mapped = UsageCloudEvents.fromStructured(json("""
                {"specversion":"1.0","id":"e-1","source":"gw","type":"api.call","subject":"acme",
                 "time":"2026-01-01T00:00:00Z","organization":"org-1","datacontenttype":"application/json",
                 "data":{"units":3},"otherext":"x"}"""));
        assertThat(mapped.valid()).isTrue();
        assertThat(mapped.event()).isEqualTo(json("""
                {"id":"e-1","source":"gw","type":"api.call","subject":"acme","time":"2026-01-01T00:00:00Z",
                 "organization":"org-1","data":{"units":3}}"""));
    }

    @Test
    void specversionOtherThan10IsRefusedNamingTheField() {
        assertThat(UsageCloudEvents.fromStructured(json("{\"specversion\":\"0.3\",\"id\":\"e\"}")).violations())
                .extracting(Violation::field, Violation::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("specversion", "unsupported_specversion"));
        assertThat(UsageCloudEvents.fromStructured(json("{\"specversion\":1.0,\"id\":\"e\"}")).violations())
                .extracting(Violation::reason).containsExactly("unsupported_specversion");
        assertThat(UsageCloudEvents.fromStructured(json("{\"id\":\"e\"}")).violations())
                .extracting(Violation::field, Violation::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("specversion", "missing"));
    }

    @Test
    void nonJsonDataIsRefusedAndBase64JsonIsRead() {
        assertThat(UsageCloudEvents.fromStructured(json("""
                {"specversion":"1.0","datacontenttype":"text/plain","data":"hello"}""")).violations())
                .extracting(Violation::field, Violation::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("datacontenttype", "unsupported_content_type"));
        String base64 = Base64.getEncoder().encodeToString("{\"units\":2}".getBytes(StandardCharsets.UTF_8));
        UsageCloudEvents.Mapped mapped = UsageCloudEvents.fromStructured(json(
                "{\"specversion\":\"1.0\",\"data_base64\":\"" + base64 + "\"}"));
        assertThat(mapped.valid()).isTrue();
        assertThat(mapped.event().get("data")).isEqualTo(json("{\"units\":2}"));
    }

    @Test
    void binaryModeReadsAttributesFromHeaders() {
        Map<String, String> headers = Map.of("specversion", "1.0", "id", "e-2", "source", "gw", "type", "t",
                "subject", "acme", "time", "2026-01-01T00:00:00Z", "organization", "org-1");
        UsageCloudEvents.Mapped mapped = UsageCloudEvents.fromBinary(headers::get, "application/json; charset=utf-8",
                json("{\"units\":1}"));
        assertThat(mapped.valid()).isTrue();
        assertThat(mapped.event().get("organization").textValue()).isEqualTo("org-1");
        assertThat(mapped.event().get("data")).isEqualTo(json("{\"units\":1}"));
        assertThat(UsageCloudEvents.fromBinary(Map.of("id", "e")::get, null, null).violations())
                .extracting(Violation::reason).containsExactly("missing");
        assertThat(UsageCloudEvents.fromBinary(Map.of("specversion", "1.0")::get, "application/xml",
                json("{}")).violations()).extracting(Violation::reason).containsExactly("unsupported_content_type");
    }

    @Test
    void mediaTypesAreRecognisedWithParameters() {
        assertThat(UsageCloudEvents.isStructured("application/cloudevents+json; charset=UTF-8")).isTrue();
        assertThat(UsageCloudEvents.isBatch("Application/CloudEvents-Batch+JSON")).isTrue();
        assertThat(UsageCloudEvents.isJson(null)).isTrue();
        assertThat(UsageCloudEvents.isJson("application/avro")).isFalse();
    }
}
