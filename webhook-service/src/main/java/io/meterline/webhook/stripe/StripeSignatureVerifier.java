package io.meterline.webhook.stripe;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import io.meterline.webhook.config.WebhookConfig;
import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.domain.EventEnvelopes;
import io.meterline.webhook.domain.ReceivedEvent;
import io.meterline.webhook.domain.WebhookException;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.time.Clock;
import java.time.DateTimeException;
import java.util.List;

/**
 * Verifies {@code Stripe-Signature} with stripe-java against every configured signing secret, so that both the
 * old and the new secret are accepted while a rotation is under way.
 */
@ApplicationScoped
public class StripeSignatureVerifier {

    private final List<String> secrets;
    private final long toleranceSeconds;
    private final ObjectMapper json;

    private final Clock clock = Clock.systemUTC();

    public StripeSignatureVerifier(WebhookConfig config, ObjectMapper json) {
        this.secrets = config.signingSecrets().stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (secrets.isEmpty()) {
            throw new IllegalStateException("webhook.signing-secrets is empty: set WEBHOOK_SIGNING_SECRETS");
        }
        this.toleranceSeconds = config.signatureTolerance().toSeconds();
        this.json = json;
    }

    /** The verified event's envelope, or a {@link WebhookException} with a short reason. */
    public ReceivedEvent verify(String payload, String signatureHeader) {
        if (signatureHeader == null || signatureHeader.isBlank()) {
            throw new WebhookException(ErrorCode.INVALID_SIGNATURE, "missing Stripe-Signature header");
        }
        // stripe-java throws NumberFormatException on "t=abc" (a 500 anyone could trigger): check the shape first
        long timestamp = SignatureHeader.timestamp(signatureHeader);
        if (payload.isBlank()) {
            // stripe-java dereferences the parsed event of an empty body (NullPointerException)
            throw new WebhookException(ErrorCode.INVALID_EVENT, "the body is empty, not a Stripe event");
        }
        ReceivedEvent event = verified(payload, signatureHeader);
        // stripe-java only refuses timestamps too far in the past; one far in the future is as suspicious
        if (timestamp > clock.instant().getEpochSecond() + toleranceSeconds) {
            throw new WebhookException(ErrorCode.STALE_SIGNATURE, "signature timestamp is more than "
                    + toleranceSeconds + " s in the future (outside the tolerance)");
        }
        return event;
    }

    private ReceivedEvent verified(String payload, String signatureHeader) {
        boolean stale = false;
        boolean malformed = false;
        for (String secret : secrets) {
            try {
                // stripe-java's signature check alone, then the envelope read with Jackson, for v1 snapshot and v2
                // thin events alike: Webhook.constructEvent would also deserialise the whole event with Gson, the
                // largest CPU cost of an acknowledgement (docs/benchmarks.md, webhook), to read four fields
                Webhook.Signature.verifyHeader(payload, signatureHeader, secret, toleranceSeconds);
                return envelope(payload);
            } catch (SignatureVerificationException e) {
                String message = String.valueOf(e.getMessage());
                // stripe-java checks the timestamp only once the signature matched: "tolerance" means right secret, too old
                stale |= message.contains("tolerance");
                malformed |= message.startsWith("Unable to extract") || message.contains("expected scheme");
            }
        }
        if (stale) {
            throw new WebhookException(ErrorCode.STALE_SIGNATURE,
                    "signature timestamp is outside the " + toleranceSeconds + " s tolerance");
        }
        throw new WebhookException(ErrorCode.INVALID_SIGNATURE, malformed
                ? "malformed Stripe-Signature header" : "signature does not match any configured signing secret");
    }

    /** The envelope of a verified body: {@code created} in epoch seconds (v1) or ISO (v2 thin events). */
    private ReceivedEvent envelope(String payload) {
        // streamed: only the envelope's fields are built (0155); the whole body is still checked to be JSON
        try (JsonParser parser = json.createParser(payload)) {
            ReceivedEvent event = EventEnvelopes.parse(parser);
            if (event == null) {
                throw new WebhookException(ErrorCode.INVALID_EVENT, "body is not a Stripe event");
            }
            return event;
        } catch (IOException | DateTimeException | ArithmeticException | NumberFormatException e) {
            throw new WebhookException(ErrorCode.INVALID_EVENT, "body is not a Stripe event");
        }
    }
}
