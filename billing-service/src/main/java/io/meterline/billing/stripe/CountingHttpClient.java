package io.meterline.billing.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.net.HttpURLConnectionClient;
import com.stripe.net.StripeRequest;
import com.stripe.net.StripeResponse;
import jakarta.inject.Singleton;

import java.util.concurrent.atomic.AtomicLong;

/** stripe-java's own HTTP client, counting the HTTP calls made (retries included), which stripe-java does not expose. */
@Singleton
public class CountingHttpClient extends HttpURLConnectionClient {

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
        return super.request(request);
    }

    /** HTTP calls made to Stripe since start. */
    public long calls() {
        return calls.get();
    }
}
