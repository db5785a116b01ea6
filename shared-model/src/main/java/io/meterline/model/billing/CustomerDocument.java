package io.meterline.model.billing;

/**
 * A Stripe customer and the Meterline subject or organization it pays for.
 * Written by webhook-service, read by billing-service's customer resolution.
 */
public class CustomerDocument {
    /** Stripe customer id, {@code cus_…}. */
    public String id;
    /** The Meterline subject billed to this customer ({@code metadata.meterline_subject} or checkout reference). */
    public String subject;
    /** The Meterline organization billed to this customer ({@code metadata.meterline_organization}). */
    public String organization;
    public String email;
    public boolean deleted;
    /** Set by {@code invoice.payment_failed}, cleared by {@code invoice.paid}. */
    public boolean delinquent;
    /** {@code created} of the newest Stripe event applied, epoch seconds: older events never overwrite. */
    public long lastEventCreated;
    /** Id of the newest Stripe event applied. */
    public String lastEventId;
    /**
     * {@code created} of the newest invoice event that set {@link #delinquent}, epoch seconds: the flag has its
     * own order guard because invoice and customer events interleave independently.
     */
    public long delinquentEventCreated;
}
