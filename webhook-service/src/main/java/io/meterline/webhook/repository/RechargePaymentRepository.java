package io.meterline.webhook.repository;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOptions;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.RechargePaymentDocument;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

/**
 * Outcomes of Meterline's auto-recharge PaymentIntents ({@code recharge_payments}, see
 * {@link RechargePaymentDocument}) for billing-service, which credits the balance once per PaymentIntent.
 */
@ApplicationScoped
public class RechargePaymentRepository {

    private final MongoCollection<Document> payments;

    public RechargePaymentRepository(MongoDatabases databases) {
        this.payments = databases.blocking().getCollection(BillingCollections.RECHARGE_PAYMENTS);
    }

    /**
     * Records a success or a failure. Order-independent and idempotent: {@code succeeded} is only ever set to true
     * and a failure never touches it, so any number of deliveries in any order end in the same outcome. Every write
     * bumps {@code revision} and clears {@code handled}, so billing looks again (its credit is keyed by the
     * PaymentIntent: looking again never credits twice).
     */
    public void record(RechargePaymentDocument outcome, boolean succeeded) {
        Document set = new Document("account", outcome.account)
                .append("sequence", outcome.sequence)
                .append("amount", outcome.amount)
                .append("currency", outcome.currency)
                .append("stripeCustomer", outcome.stripeCustomer)
                .append("handled", false);
        if (succeeded) {
            set.append("succeeded", true);
        } else {
            set.append("failureCode", outcome.failureCode).append("failureMessage", outcome.failureMessage);
        }
        Document update = new Document("$set", set)
                .append("$inc", new Document("revision", 1L))
                .append("$max", new Document("lastEventCreated", outcome.lastEventCreated));
        if (!succeeded) {
            update.append("$setOnInsert", new Document("succeeded", false));
        }
        payments.updateOne(new Document("_id", outcome.id), update, new UpdateOptions().upsert(true));
    }
}
