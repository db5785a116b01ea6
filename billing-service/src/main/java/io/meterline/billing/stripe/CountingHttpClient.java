package io.meterline.billing.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.net.HttpHeaders;
import com.stripe.net.HttpURLConnectionClient;
import com.stripe.net.StripeRequest;
import com.stripe.net.StripeResponse;
import jakarta.inject.Singleton;

import java.util.concurrent.atomic.AtomicLong;

/**
 * stripe-java's own HTTP client, plus two things it does not expose: the number of HTTP calls made (retries
 * included), and the headers of the last answer on this thread. Stripe's exceptions carry no headers, and the
 * retry policy needs {@code Retry-After} and {@code Stripe-Should-Retry}.
 */
@Singleton
public class CountingHttpClient extends HttpURLConnectionClient {

    private static final ThreadLocal<HttpHeaders> LAST_HEADERS = new ThreadLocal<>();

    static {
        // the JDK keeps only 5 idle keep-alive connections per host by default; reporting runs up to
        // billing.reporting.concurrency calls at once, and each call beyond 5 would open a new connection
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "64");
        }
    }
    private final AtomicLong calls = new AtomicLong();

    @Override
    public StripeResponse request(StripeRequest request) throws ApiConnectionException {
        calls.incrementAndGet();
        LAST_HEADERS.remove();
        StripeResponse response = super.request(request);
        LAST_HEADERS.set(response.headers());
        return response;
    }

    /** HTTP calls made to Stripe since start. */
    public long calls() {
        return calls.get();
    }

    /** Headers of the last answer received on this thread, or null after a connection failure. */
    static HttpHeaders lastHeaders() {
        return LAST_HEADERS.get();
    }
}
