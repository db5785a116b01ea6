package io.meterline.billing.balance;

import io.meterline.billing.problem.ErrorCode;
import io.meterline.model.api.Problem;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/** Balance refusals as application/problem+json; a refused debit carries its numbers. */
public class BalanceProblems {

    @ServerExceptionMapper
    public Response debtLimitExceeded(BalanceService.DebtLimitExceededException exception) {
        BalanceRules.Refused refused = exception.refused();
        Map<String, Object> body = problem(ErrorCode.DEBT_LIMIT_EXCEEDED, exception.getMessage());
        body.put("balance", refused.balance());
        body.put("debtLimit", refused.debtLimit());
        body.put("attempted", refused.attempted());
        body.put("wouldBe", refused.wouldBe());
        body.put("remainingDebtCapacity", refused.remainingDebtCapacity());
        return Response.status(402).type(Problem.MEDIA_TYPE).entity(body).build();
    }

    @ServerExceptionMapper
    public Response keyReused(BalanceService.KeyReusedException exception) {
        Map<String, Object> body = problem(ErrorCode.IDEMPOTENCY_KEY_REUSED, exception.getMessage());
        body.put("errors", java.util.List.of(Map.of("field", "idempotencyKey", "reason", "reused",
                "message", exception.getMessage())));
        return Response.status(409).type(Problem.MEDIA_TYPE).entity(body).build();
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
