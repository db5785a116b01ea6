package io.meterline.billing.balance;

import io.meterline.billing.problem.ErrorCode;
import io.meterline.model.api.Problem;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Balance refusals' problem+json bodies: a refused debit carries its numbers, a reused key names the field. */
final class BalanceProblems {

    private BalanceProblems() {
    }

    /** 402 {@code debt_limit_exceeded}. */
    static Map<String, Object> debtLimitExceeded(BalanceService.DebtLimitExceededException exception) {
        BalanceRules.Refused refused = exception.refused();
        Map<String, Object> body = problem(ErrorCode.DEBT_LIMIT_EXCEEDED, exception.getMessage());
        body.put("balance", refused.balance());
        body.put("debtLimit", refused.debtLimit());
        body.put("attempted", refused.attempted());
        body.put("wouldBe", refused.wouldBe());
        body.put("remainingDebtCapacity", refused.remainingDebtCapacity());
        return body;
    }

    /** 409 {@code idempotency_key_reused}. */
    static Map<String, Object> keyReused(BalanceService.KeyReusedException exception) {
        Map<String, Object> body = problem(ErrorCode.IDEMPOTENCY_KEY_REUSED, exception.getMessage());
        body.put("errors", List.of(Map.of("field", "idempotencyKey", "reason", "reused", "message", exception.getMessage())));
        return body;
    }

    private static Map<String, Object> problem(ErrorCode code, String detail) {
        Problem problem = Problem.of(code.code(), code.title(), code.status(), detail, null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        body.put("code", problem.code());
        return body;
    }
}
