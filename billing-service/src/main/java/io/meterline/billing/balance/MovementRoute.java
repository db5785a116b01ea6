package io.meterline.billing.balance;

import io.meterline.billing.security.CustomerScope;
import io.meterline.model.api.CommonProblem;
import io.meterline.model.api.Problem;
import io.meterline.model.http.BoundedBody;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.nio.charset.StandardCharsets;

/**
 * {@code POST /v1/balances/{customer}/credits} and {@code …/debits}: one movement, idempotent by
 * {@code idempotencyKey} ({@link BalanceService#move}). A plain Vert.x route rather than a REST resource method, as the
 * entitlement check is (0117): a debit is the hot write path, and RESTEasy Reactive's per-request machinery cost billing
 * more CPU than the movement itself (decision 0118). The contract is the resource's: {@code admin} or
 * {@code balance:write} within the token's {@code customers} ({@link CustomerScope}), a JSON body whose bad fields are
 * named in a problem+json {@code 400}, {@code 402 debt_limit_exceeded} with its numbers, {@code 409
 * idempotency_key_reused}, and a replay answered as the first time with {@code Idempotent-Replayed: true}.
 *
 * <p>The body is read and checked on the I/O thread; the movement itself waits for its batched MongoDB write
 * ({@link BalanceWriter}) on a worker thread.
 */
@ApplicationScoped
public class MovementRoute {

    /** Far above any valid body (four short fields); larger bodies are refused before they are buffered. */
    static final int MAX_BODY = 16 * 1024;

    private final BalanceService balances;
    private final RouteAnswers answers;

    public MovementRoute(BalanceService balances, RouteAnswers answers) {
        this.balances = balances;
        this.answers = answers;
    }

    void register(@Observes Router router) {
        answers.route(router, HttpMethod.POST, "/v1/balances/:customer/credits",
                (context, known) -> handle(context, BalanceService.Kind.CREDIT, known));
        answers.route(router, HttpMethod.POST, "/v1/balances/:customer/debits",
                (context, known) -> handle(context, BalanceService.Kind.DEBIT, known));
    }

    void handle(RoutingContext context, BalanceService.Kind kind, RouteAnswers.Caller known) {
        String type = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith(RouteAnswers.JSON)) {
            answers.send(context, 415, Problem.MEDIA_TYPE, CommonProblem.forStatus(415, "Unsupported Media Type"));
            return;
        }
        if (BoundedBody.announcedOver(context.request(), MAX_BODY)) {
            tooLarge(context);
            return;
        }
        // read first: authentication may finish later (a token's first verification), the body must not be lost
        BoundedBody.read(context.request(), MAX_BODY,
                body -> answers.authenticated(context, known, caller -> move(context, kind, caller, body)),
                () -> tooLarge(context), failure -> answers.failed(context, failure));
    }

    private void move(RoutingContext context, BalanceService.Kind kind, RouteAnswers.Caller caller, Buffer body) {
        String customer = context.pathParam("customer");
        BalanceRequests.customer(customer);
        caller.require(customer, BalanceRequests.WRITE_ROLE, "changing balances");
        BalanceRequests.MovementRequest request = BalanceRequests.movement(body.toString(StandardCharsets.UTF_8), kind);
        String currency = balances.currency(request.currency());
        context.vertx().executeBlocking(() -> balances.move(customer, currency, request.movement()), false)
                .onComplete(done -> {
                    if (done.succeeded()) {
                        BalanceService.Result result = done.result();
                        if (result.replayed()) {
                            context.response().putHeader("Idempotent-Replayed", "true");
                        }
                        answers.send(context, 200, RouteAnswers.JSON, MovementResponse.of(result.movement(), result.replayed()));
                    } else if (done.cause() instanceof BalanceService.DebtLimitExceededException refused) {
                        answers.send(context, 402, Problem.MEDIA_TYPE, BalanceProblems.debtLimitExceeded(refused));
                    } else if (done.cause() instanceof BalanceService.KeyReusedException reused) {
                        answers.send(context, 409, Problem.MEDIA_TYPE, BalanceProblems.keyReused(reused));
                    } else {
                        answers.failed(context, done.cause());
                    }
                });
    }

    private void tooLarge(RoutingContext context) {
        answers.send(context, 413, Problem.MEDIA_TYPE, CommonProblem.forStatus(413, "the body may have at most " + MAX_BODY + " bytes"));
    }
}
