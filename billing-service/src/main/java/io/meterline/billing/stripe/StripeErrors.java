package io.meterline.billing.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.StripeException;
import com.stripe.net.HttpHeaders;

import java.time.Duration;

/**
 * Turns stripe-java exceptions into {@link StripeCallException}s. The retry policy needs {@code Retry-After} and
 * {@code Stripe-Should-Retry}: stripe-java attaches the answer they came with to the exception's error
 * ({@code getStripeError().getLastResponse()}); a connection failure has no answer.
 */
final class StripeErrors {

    /** Stripe's answer to a meter event whose identifier it has seen: the event is already counted. */
    static final String DUPLICATE_IDENTIFIER = "An event already exists with identifier";

    private StripeErrors() {
    }

    static StripeCallException translate(StripeException e) {
        HttpHeaders headers = e.getStripeError() == null || e.getStripeError().getLastResponse() == null
                ? null : e.getStripeError().getLastResponse().headers();
        Integer status = e.getStatusCode();
        String message = e.getStripeError() != null && e.getStripeError().getMessage() != null
                ? e.getStripeError().getMessage() : e.getMessage();
        Duration retryAfter = null;
        String shouldRetry = null;
        if (headers != null) {
            retryAfter = headers.firstValue("Retry-After").flatMap(StripeErrors::seconds).orElse(null);
            shouldRetry = headers.firstValue("Stripe-Should-Retry").orElse(null);
        }
        StripeCallException.Kind kind;
        if (e instanceof ApiConnectionException || status == null) {
            kind = StripeCallException.Kind.RETRYABLE;
        } else if (message != null && message.startsWith(DUPLICATE_IDENTIFIER)) {
            kind = StripeCallException.Kind.DUPLICATE;
        } else if ("false".equals(shouldRetry)) {
            kind = StripeCallException.Kind.PERMANENT;
        } else if ("true".equals(shouldRetry) || status == 429 || status == 409 || status >= 500) {
            kind = StripeCallException.Kind.RETRYABLE;
        } else {
            kind = StripeCallException.Kind.PERMANENT;
        }
        return new StripeCallException(kind, status, e.getCode(), message, retryAfter, e);
    }

    private static java.util.Optional<Duration> seconds(String value) {
        try {
            return java.util.Optional.of(Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000)));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }
}
