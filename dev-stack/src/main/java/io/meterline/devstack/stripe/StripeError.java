package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error answered in Stripe's shape: {@code {"error":{"type","code","message","param"}}}. */
public final class StripeError extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, com.fasterxml.jackson.databind.JsonNode> extra = new LinkedHashMap<>();

    public StripeError(int status, String type, String code, String message, String param) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    static StripeError missing(String param) {
        return new StripeError(400, "invalid_request_error", "parameter_missing",
                "Missing required param: " + param + ".", param);
    }

    static StripeError invalid(String message, String param) {
        return new StripeError(400, "invalid_request_error", null, message, param);
    }

    static StripeError invalid(String code, String message, String param) {
        return new StripeError(400, "invalid_request_error", code, message, param);
    }

    static StripeError noSuch(String what, String id, String param) {
        return new StripeError(404, "invalid_request_error", "resource_missing",
                "No such " + what + ": '" + id + "'", param);
    }

    /** An extra field of the error object, e.g. a card error's {@code payment_intent} or {@code decline_code}. */
    StripeError with(String field, com.fasterxml.jackson.databind.JsonNode value) {
        if (value != null && !value.isNull()) {
            extra.put(field, value);
        }
        return this;
    }

    StripeError header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    Map<String, String> headers() {
        return headers;
    }

    ObjectNode body(String requestId) {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        if (code != null) {
            error.put("code", code);
            error.put("doc_url", "https://stripe.com/docs/error-codes/" + code.replace('_', '-'));
        }
        error.put("message", getMessage());
        if (param != null) {
            error.put("param", param);
        }
        error.put("request_log_url", "https://dashboard.stripe.com/test/logs/" + requestId);
        error.put("type", type);
        extra.forEach(error::set);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("error", error);
        return root;
    }
}
