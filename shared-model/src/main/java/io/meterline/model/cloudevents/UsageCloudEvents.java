package io.meterline.model.cloudevents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.model.UsageEventJson;
import io.meterline.model.Violation;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The CloudEvents 1.0 bindings of a usage event, shared by the ingest API (HTTP) and billing (Kafka): both turn a
 * CloudEvent into the plain usage-event JSON, which the one {@link io.meterline.model.UsageEventValidator} then
 * checks. Attributes map one to one ({@code id}, {@code source}, {@code type}, {@code subject}, {@code time},
 * {@code data}); Meterline's own {@code organization} is the extension attribute of the same name. Only
 * {@code specversion} {@code 1.0} and JSON data are accepted; what is wrong is named as a {@link Violation}.
 */
public final class UsageCloudEvents {

    public static final String SPEC_VERSION = "1.0";
    /** Structured mode, one event. */
    public static final String STRUCTURED = "application/cloudevents+json";
    /** Structured mode, a batch (HTTP only). */
    public static final String BATCH = "application/cloudevents-batch+json";
    /** Meterline's extension attribute: the subject's organization (second path of customer resolution). */
    public static final String ORGANIZATION = "organization";
    /** Reason: {@code specversion} is not {@value #SPEC_VERSION}. */
    public static final String UNSUPPORTED_SPECVERSION = "unsupported_specversion";
    /** Reason: the data is not JSON ({@code datacontenttype}, or the Kafka {@code content-type} header). */
    public static final String UNSUPPORTED_CONTENT_TYPE = "unsupported_content_type";
    /** Reason: {@code data_base64} is not base64 of a JSON value. */
    public static final String INVALID_DATA = "invalid_data";

    /** The attributes copied into the usage event; CloudEvents names equal Meterline's. */
    private static final List<String> ATTRIBUTES = List.of("id", "source", "type", "subject", "time", ORGANIZATION);

    private UsageCloudEvents() {
    }

    /**
     * A CloudEvent turned into the usage-event JSON ({@code event}, still to be validated) and what is wrong with
     * its envelope ({@code violations}: specversion, content type); the event is to be refused when there are any.
     */
    public record Mapped(JsonNode event, List<Violation> violations) {
        public boolean valid() {
            return violations.isEmpty();
        }
    }

    /** True for {@code application/cloudevents+json}, with or without parameters (charset). */
    public static boolean isStructured(String contentType) {
        return mediaType(contentType).equals(STRUCTURED);
    }

    /** True for {@code application/cloudevents-batch+json}, with or without parameters. */
    public static boolean isBatch(String contentType) {
        return mediaType(contentType).equals(BATCH);
    }

    /** True when data with this content type is JSON: absent (CloudEvents' default for JSON formats), or *json. */
    public static boolean isJson(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        String type = mediaType(contentType);
        return type.equals("application/json") || type.endsWith("+json") || type.equals("text/json");
    }

    /** Structured mode: one event in the CloudEvents JSON format. Anything but an object is left to the validator. */
    public static Mapped fromStructured(JsonNode cloudEvent) {
        if (cloudEvent == null || !cloudEvent.isObject()) {
            return new Mapped(cloudEvent, List.of());
        }
        List<Violation> violations = new ArrayList<>(1);
        checkSpecVersion(text(cloudEvent.get("specversion")), cloudEvent.has("specversion"), violations);
        ObjectNode event = UsageEventJson.mapper().createObjectNode();
        for (String attribute : ATTRIBUTES) {
            JsonNode value = cloudEvent.get(attribute);
            if (value != null) {
                event.set(attribute, value);
            }
        }
        JsonNode contentType = cloudEvent.get("datacontenttype");
        String dataContentType = contentType != null && contentType.isTextual() ? contentType.textValue() : null;
        if (cloudEvent.has("data") || cloudEvent.has("data_base64")) {
            if (!isJson(dataContentType)) {
                violations.add(unsupportedContentType("datacontenttype", dataContentType));
            } else if (cloudEvent.has("data")) {
                event.set("data", cloudEvent.get("data"));
            } else {
                JsonNode data = fromBase64(cloudEvent.get("data_base64"), violations);
                if (data != null) {
                    event.set("data", data);
                }
            }
        }
        return new Mapped(event, violations);
    }

    /**
     * Binary mode: attributes from headers ({@code ce-*} on HTTP, {@code ce_*} on Kafka), the data as the body.
     *
     * @param attribute   the value of an attribute's header by attribute name ({@code "id"}), null when absent
     * @param contentType the content type of the data (HTTP {@code Content-Type}, Kafka {@code content-type})
     * @param data        the parsed body, null when there is none
     */
    public static Mapped fromBinary(UnaryOperator<String> attribute, String contentType, JsonNode data) {
        List<Violation> violations = new ArrayList<>(1);
        String specVersion = attribute.apply("specversion");
        checkSpecVersion(specVersion, specVersion != null, violations);
        ObjectNode event = UsageEventJson.mapper().createObjectNode();
        for (String name : ATTRIBUTES) {
            String value = attribute.apply(name);
            if (value != null) {
                event.put(name, value);
            }
        }
        if (data != null) {
            if (!isJson(contentType)) {
                violations.add(unsupportedContentType("datacontenttype", contentType));
            } else {
                event.set("data", data);
            }
        }
        return new Mapped(event, violations);
    }

    private static void checkSpecVersion(String specVersion, boolean present, List<Violation> violations) {
        if (!present || specVersion == null) {
            violations.add(new Violation("specversion", "missing",
                    "specversion is required in CloudEvents modes (" + SPEC_VERSION + ")"));
        } else if (!SPEC_VERSION.equals(specVersion)) {
            violations.add(new Violation("specversion", UNSUPPORTED_SPECVERSION,
                    "specversion '" + abbreviate(specVersion) + "' is not supported; only " + SPEC_VERSION + " is"));
        }
    }

    private static Violation unsupportedContentType(String field, String contentType) {
        return new Violation(field, UNSUPPORTED_CONTENT_TYPE,
                "data of content type '" + abbreviate(contentType) + "' is not accepted; usage data is a JSON object");
    }

    private static JsonNode fromBase64(JsonNode value, List<Violation> violations) {
        try {
            if (value == null || !value.isTextual()) {
                throw new IllegalArgumentException("not a string");
            }
            return UsageEventJson.parseTree(Base64.getDecoder().decode(value.textValue()));
        } catch (IllegalArgumentException | UsageEventJson.InvalidJsonException e) {
            violations.add(new Violation("data_base64", INVALID_DATA, "data_base64 must be base64 of a JSON object"));
            return null;
        }
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        // a number 1.0 is not the string "1.0": name its JSON type instead of its digits
        return value.isTextual() ? value.textValue() : "a JSON " + value.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
