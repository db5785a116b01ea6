package io.meterline.billing.balance;

import java.util.List;

/** An account's history and whether it adds up: {@code consistent} = stored balance and unsettled equal the sums. */
public record HistoryResponse(String customer, String currency, long balance, long recomputedBalance, long unsettled,
        long recomputedUnsettled, boolean consistent, List<MovementResponse> transactions) {
}
