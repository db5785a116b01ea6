package io.meterline.billing.problem;

import io.meterline.model.api.ProblemCode;

/** Every error billing-service answers with: a stable code (the problem type) and its HTTP status. */
public enum ErrorCode implements ProblemCode {
    INVALID_PARAMETER(400, "Invalid parameter"),
    INVALID_METER(400, "Invalid meter definition"),
    FORBIDDEN_CUSTOMER(403, "Customer outside the token's scope"),
    METER_NOT_FOUND(404, "Unknown meter"),
    METER_AGGREGATION_LOCKED(409, "Meter aggregation cannot change once usage exists"),
    UNAVAILABLE(503, "Temporarily unavailable"),
    REPORT_RUN_NOT_FOUND(404, "Unknown report run"),
    REPORT_RUN_IN_PROGRESS(409, "Another report run holds the lease"),
    BACKFILL_TARGET_INVALID(400, "Backfill needs a meter with a Stripe price, or a price"),
    DEBT_LIMIT_EXCEEDED(402, "Debit would pass the debt limit"),
    IDEMPOTENCY_KEY_REUSED(409, "Idempotency key already used with a different request"),
    BALANCE_NOT_FOUND(404, "No balance for this customer");

    ErrorCode(int status, String title) {
        ProblemCode.define(this, status, title);
    }
}
