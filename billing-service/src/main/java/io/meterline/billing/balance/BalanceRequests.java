package io.meterline.billing.balance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.model.UsageEventJson;
import io.meterline.model.Violation;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reading the balance endpoints' input, shared by {@link BalanceResource} and {@link MovementRoute}: each bad field
 * becomes a {@code invalid_parameter} problem naming it.
 */
final class BalanceRequests {

    static final String WRITE_ROLE = "balance:write";
    private static final Pattern CURRENCY = Pattern.compile("[a-zA-Z]{3}");
    private static final long MAX_AMOUNT = 1_000_000_000_000L;

    private BalanceRequests() {
    }

    /** A credit's or debit's body; {@code currency} is the request's (null = the default). */
    record MovementRequest(String currency, BalanceService.Movement movement) {
    }

    static MovementRequest movement(String body, BalanceService.Kind kind) {
        JsonNode json = parse(body);
        long amount = amount(json, "amount", json.get("amount"));
        String key = text(json, "idempotencyKey");
        if (key == null || key.isBlank() || key.length() > 200) {
            throw invalid("idempotencyKey", key == null ? "missing" : "invalid", "idempotencyKey is required (1–200 characters)");
        }
        String reason = text(json, "reason");
        if (reason == null || reason.isBlank() || reason.length() > 200) {
            throw invalid("reason", reason == null ? "missing" : "invalid", "reason is required (1–200 characters)");
        }
        String reference = text(json, "reference");
        if (reference != null && reference.length() > 200) {
            throw invalid("reference", "invalid", "reference may have at most 200 characters");
        }
        return new MovementRequest(currency(text(json, "currency")),
                new BalanceService.Movement(kind, amount, "api:" + key, reason, reference));
    }

    static void customer(String customer) {
        if (customer == null || customer.isBlank() || customer.length() > 200) {
            throw invalid("customer", "invalid", "customer must have 1–200 characters");
        }
    }

    /** The requested currency, checked (null stays null: the service's default applies). */
    static String currency(String requested) {
        if (requested != null && !CURRENCY.matcher(requested).matches()) {
            throw invalid("currency", "invalid", "currency must be a three-letter ISO 4217 code such as usd");
        }
        return requested;
    }

    static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw invalid("body", "missing", "a JSON object is required");
        }
        try {
            JsonNode json = UsageEventJson.mapper().readTree(body);
            if (json == null || !json.isObject()) {
                throw invalid("body", "invalid", "the body must be a JSON object");
            }
            return json;
        } catch (IOException e) {
            throw invalid("body", "not_json", "the body is not valid JSON");
        }
    }

    static long amount(JsonNode json, String field, JsonNode node) {
        if (node == null || node.isNull()) {
            throw invalid(field, "missing", field + " is required (a positive whole number of minor units)");
        }
        if (node.getNodeType() != JsonNodeType.NUMBER || !node.canConvertToExactIntegral() || node.asLong() < 1
                || node.asLong() > MAX_AMOUNT || !node.canConvertToLong()) {
            throw invalid(field, "invalid", field + " must be a whole number of minor units between 1 and " + MAX_AMOUNT);
        }
        return node.asLong();
    }

    static Long optionalAmount(JsonNode json, String field, long min) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.getNodeType() != JsonNodeType.NUMBER || !node.canConvertToExactIntegral() || !node.canConvertToLong()
                || node.asLong() < min || node.asLong() > MAX_AMOUNT) {
            throw invalid(field, "invalid", field + " must be a whole number of minor units between " + min + " and " + MAX_AMOUNT);
        }
        return node.asLong();
    }

    static long signedAmount(JsonNode node, String field) {
        if (node.getNodeType() != JsonNodeType.NUMBER || !node.canConvertToExactIntegral() || !node.canConvertToLong()
                || Math.abs(node.asLong()) > MAX_AMOUNT) {
            throw invalid(field, "invalid", field + " must be a whole number of minor units");
        }
        return node.asLong();
    }

    static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid(field, "invalid", field + " must be a string");
        }
        return node.asText();
    }

    static BillingException invalid(String field, String reason, String message) {
        return new BillingException(ErrorCode.INVALID_PARAMETER, message, List.of(new Violation(field, reason, message)));
    }
}
