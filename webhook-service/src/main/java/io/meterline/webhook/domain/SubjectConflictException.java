package io.meterline.webhook.domain;

/**
 * A Stripe customer claims a Meterline subject another live customer already pays for. Billing could not tell which
 * of the two to report usage to, so the event is not applied; it is retried (the other customer's own update may
 * simply not have arrived yet) and, if the conflict stays, ends dead for an operator to resolve and replay.
 */
public class SubjectConflictException extends RuntimeException {
    public SubjectConflictException(String subject, String customerId, String holderId) {
        super("subject " + subject + " of customer " + customerId + " is already billed to live customer " + holderId);
    }
}
