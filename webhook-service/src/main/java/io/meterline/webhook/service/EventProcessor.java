package io.meterline.webhook.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.MeterErrorReportDocument;
import io.meterline.model.billing.RechargePaymentDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.billing.SubscriptionItemDocument;
import io.meterline.webhook.domain.EventEnvelopes;
import io.meterline.webhook.domain.GuardedWrite;
import io.meterline.webhook.domain.ProcessingOutcome;
import io.meterline.webhook.domain.StoredEvent;
import io.meterline.webhook.domain.StripeObjects;
import io.meterline.webhook.domain.SubjectConflictException;
import io.meterline.webhook.repository.CustomerRepository;
import io.meterline.webhook.repository.MeterErrorReportRepository;
import io.meterline.webhook.repository.RechargePaymentRepository;
import io.meterline.webhook.repository.SubscriptionRepository;
import io.meterline.webhook.stripe.StripeGateway;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies one stored Stripe event to billing's state. Idempotent (applying an event twice writes the same state)
 * and order-safe: every write is guarded by the event's {@code created}, and a same-second tie between two
 * different events is settled by re-fetching the object from Stripe (see docs/decisions/0040). Any exception
 * makes the worker retry the event later.
 */
@ApplicationScoped
public class EventProcessor {

    private static final Logger LOG = Logger.getLogger(EventProcessor.class);

    private final ObjectMapper json;
    private final CustomerRepository customers;
    private final SubscriptionRepository subscriptions;
    private final MeterErrorReportRepository meterErrors;
    private final StripeGateway stripe;
    private final WebhookMetrics metrics;
    private final RechargePaymentRepository rechargePayments;

    public EventProcessor(ObjectMapper json, CustomerRepository customers, SubscriptionRepository subscriptions,
                          MeterErrorReportRepository meterErrors, StripeGateway stripe, WebhookMetrics metrics,
                          RechargePaymentRepository rechargePayments) {
        this.rechargePayments = rechargePayments;
        this.json = json;
        this.customers = customers;
        this.subscriptions = subscriptions;
        this.meterErrors = meterErrors;
        this.stripe = stripe;
        this.metrics = metrics;
    }

    /** What applying one event of a round did. */
    public sealed interface Result permits Applied, Failed {
        StoredEvent event();
    }

    public record Applied(StoredEvent event, ProcessingOutcome outcome) implements Result {
    }

    public record Failed(StoredEvent event, RuntimeException error) implements Result {
    }

    /**
     * Applies a round of claimed events, one result per event. Subscription events, the bulk of Stripe's traffic,
     * are written with one bulk write per round: per subscription only the round's newest event is written (with
     * the same guard as {@link #apply}); its older events in the round are {@code stale}, since a newer state is
     * written, unless the newest fails, in which case they are applied one by one as before. Two events of one
     * subscription with the same {@code created} (a tie) and every other type go one by one through {@link #apply}.
     */
    public List<Result> applyAll(List<StoredEvent> round) {
        Map<String, Result> results = new HashMap<>();
        Map<String, List<Parsed>> bySubscription = new LinkedHashMap<>();
        for (StoredEvent event : round) {
            if (!SUBSCRIPTION_TYPES.contains(event.type())) {
                results.put(event.id(), applyOne(event));
                continue;
            }
            try {
                JsonNode object = read(event.payload()).path("data").path("object");
                String id = StripeObjects.text(object, "id");
                bySubscription.computeIfAbsent(id == null ? event.id() : id, k -> new ArrayList<>()).add(new Parsed(event, object));
            } catch (RuntimeException e) {
                results.put(event.id(), new Failed(event, e));
            }
        }
        List<Parsed> newest = new ArrayList<>();
        List<SubscriptionDocument> docs = new ArrayList<>();
        for (List<Parsed> group : bySubscription.values()) {
            group.sort(Comparator.comparingLong(p -> p.event.created()));
            Parsed last = group.get(group.size() - 1);
            boolean tie = group.size() > 1 && group.get(group.size() - 2).event.created() == last.event.created();
            if (tie) {
                group.forEach(p -> results.put(p.event.id(), applyOne(p.event)));
                continue;
            }
            try {
                docs.add(stamped(StripeObjects.subscription(last.object), last.event));
                newest.add(last);
            } catch (RuntimeException e) {
                results.put(last.event.id(), new Failed(last.event, e));
            }
        }
        SubscriptionRepository.BulkWrite[] written = subscriptions.replaceAllIfNewer(docs);
        for (int i = 0; i < newest.size(); i++) {
            Parsed last = newest.get(i);
            results.put(last.event.id(), switch (written[i]) {
                case WRITTEN -> new Applied(last.event, ProcessingOutcome.APPLIED);
                // the common case of an out-of-order delivery: the stored state is strictly newer
                case STALE -> new Applied(last.event, ProcessingOutcome.STALE);
                // a tie with a stored event of the same second, a concurrent writer, or an error: settled alone
                case UNSETTLED -> applyOne(last.event);
            });
        }
        for (List<Parsed> group : bySubscription.values()) {
            Result last = results.get(group.get(group.size() - 1).event.id());
            for (Parsed older : group.subList(0, group.size() - 1)) {
                results.computeIfAbsent(older.event.id(), id -> last instanceof Applied
                        ? new Applied(older.event, ProcessingOutcome.STALE) : applyOne(older.event));
            }
        }
        List<Result> ordered = new ArrayList<>(round.size());
        round.forEach(event -> ordered.add(results.get(event.id())));
        return ordered;
    }

    private Result applyOne(StoredEvent event) {
        try {
            return new Applied(event, apply(event));
        } catch (RuntimeException e) {
            return new Failed(event, e);
        }
    }

    private record Parsed(StoredEvent event, JsonNode object) {
    }

    private static final Set<String> SUBSCRIPTION_TYPES = Set.of("customer.subscription.created",
            "customer.subscription.updated", "customer.subscription.deleted", "customer.subscription.paused",
            "customer.subscription.resumed");

    public ProcessingOutcome apply(StoredEvent event) {
        JsonNode root = read(event.payload());
        JsonNode object = root.path("data").path("object");
        return switch (event.type()) {
            case "customer.created", "customer.updated" -> customer(event, object, false);
            case "customer.deleted" -> customer(event, object, true);
            case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
                 "customer.subscription.paused", "customer.subscription.resumed" -> subscription(event, object);
            case "checkout.session.completed" -> checkoutCompleted(object);
            case "invoice.paid" -> delinquency(event, object, false);
            case "invoice.payment_failed" -> delinquency(event, object, true);
            case "v1.billing.meter.error_report_triggered", "v1.billing.meter.no_meter_found" -> meterErrorReport(event, root);
            case "payment_intent.succeeded" -> rechargePayment(event, object, true);
            case "payment_intent.payment_failed" -> rechargePayment(event, object, false);
            default -> ProcessingOutcome.IGNORED;
        };
    }

    private ProcessingOutcome customer(StoredEvent event, JsonNode object, boolean deleted) {
        CustomerDocument doc = StripeObjects.customer(object, deleted);
        Optional<CustomerDocument> stored = customers.find(doc.id);
        if (stored.isPresent() && stored.get().lastEventCreated > event.created()) {
            return ProcessingOutcome.STALE;
        }
        if (doc.subject != null && !doc.deleted) {
            String subject = doc.subject;
            customers.liveHolderOfSubject(subject, doc.id).ifPresent(holder -> {
                throw new SubjectConflictException(subject, doc.id, holder);
            });
        }
        GuardedWrite result = stored.isPresent()
                ? customers.applyProfileOver(stored.get(), doc, event.created(), event.id())
                : customers.applyProfileIfNewer(doc, event.created(), event.id());
        if (result == GuardedWrite.TIE) {
            CustomerDocument settled = doc;
            if (stripe.configured()) {
                Optional<String> current = stripe.customerJson(doc.id);
                if (current.isPresent()) {
                    settled = StripeObjects.customer(read(current.get()), false);
                }
                metrics.orderTie(current.isPresent());
            } else {
                metrics.orderTie(false);
            }
            result = customers.applyProfileUnlessNewer(settled, event.created(), event.id());
        }
        return outcome(result);
    }

    private ProcessingOutcome subscription(StoredEvent event, JsonNode object) {
        SubscriptionDocument doc = stamped(StripeObjects.subscription(object), event);
        GuardedWrite result = subscriptions.replaceIfNewer(doc);
        if (result == GuardedWrite.TIE) {
            // two different events in the same second: their order is unknown, Stripe's current object is not
            SubscriptionDocument settled = doc;
            if (stripe.configured()) {
                Optional<String> current = stripe.subscriptionJson(doc.id);
                if (current.isPresent()) {
                    settled = stamped(StripeObjects.subscription(read(current.get())), event);
                }
                metrics.orderTie(current.isPresent());
            } else {
                metrics.orderTie(false);
            }
            result = subscriptions.replaceUnlessNewer(settled);
        }
        return outcome(result);
    }

    private SubscriptionDocument stamped(SubscriptionDocument doc, StoredEvent event) {
        for (SubscriptionItemDocument item : doc.items) {
            if (item.meterId != null && item.meterEventName == null) {
                if (stripe.configured()) {
                    item.meterEventName = stripe.meterEventName(item.meterId).orElse(null);
                } else {
                    LOG.debugf("meter %s of item %s: no Stripe key and no price metadata, event name unknown",
                            item.meterId, item.id);
                }
            }
        }
        doc.lastEventCreated = event.created();
        doc.lastEventId = event.id();
        return doc;
    }

    private ProcessingOutcome checkoutCompleted(JsonNode session) {
        String customerId = StripeObjects.idOf(session.get("customer"));
        if (customerId == null) {
            // a payment without a customer: nothing Meterline bills
            return ProcessingOutcome.IGNORED;
        }
        String subject = StripeObjects.text(session, "client_reference_id");
        if (subject == null) {
            subject = StripeObjects.metadata(session, StripeObjects.SUBJECT_KEY);
        }
        String organization = StripeObjects.metadata(session, StripeObjects.ORGANIZATION_KEY);
        boolean changed = false;
        if (subject != null && !subject.isBlank()) {
            String linked = subject;
            customers.liveHolderOfSubject(subject, customerId).ifPresent(holder -> {
                throw new SubjectConflictException(linked, customerId, holder);
            });
            changed |= customers.linkSubjectIfAbsent(customerId, subject);
        }
        if (organization != null) {
            changed |= customers.linkOrganizationIfAbsent(customerId, organization);
        }
        return changed ? ProcessingOutcome.APPLIED : ProcessingOutcome.STALE;
    }

    private ProcessingOutcome delinquency(StoredEvent event, JsonNode invoice, boolean delinquent) {
        String customerId = StripeObjects.idOf(invoice.get("customer"));
        if (customerId == null) {
            throw new IllegalArgumentException("invoice " + StripeObjects.text(invoice, "id") + " has no customer");
        }
        return outcome(customers.setDelinquentIfNewer(customerId, delinquent, event.created()));
    }

    private ProcessingOutcome meterErrorReport(StoredEvent event, JsonNode root) {
        JsonNode data = root.path("data");
        if ((data.isMissingNode() || data.isNull()) && stripe.configured()) {
            // a thin (v2) delivery has no data: fetch the full event
            data = stripe.v2EventJson(event.id()).map(this::read).map(full -> full.path("data")).orElse(data);
        }
        MeterErrorReportDocument report = new MeterErrorReportDocument();
        report.id = event.id();
        report.created = event.created();
        report.meterId = StripeObjects.text(root.path("related_object"), "id");
        if (report.meterId == null) {
            report.meterId = StripeObjects.text(data.path("object"), "id");
        }
        report.summary = StripeObjects.text(data, "developer_message_summary");
        JsonNode reason = data.path("reason");
        report.errorCount = reason.path("error_count").asLong(0);
        report.validationStart = data.has("validation_start") ? EventEnvelopes.createdSeconds(data.get("validation_start")) : 0;
        report.validationEnd = data.has("validation_end") ? EventEnvelopes.createdSeconds(data.get("validation_end")) : 0;
        for (JsonNode type : reason.path("error_types")) {
            MeterErrorReportDocument.ErrorType errorType = new MeterErrorReportDocument.ErrorType();
            errorType.code = StripeObjects.text(type, "code");
            errorType.errorCount = type.path("error_count").asLong(0);
            for (JsonNode sample : type.path("sample_errors")) {
                String identifier = StripeObjects.text(sample.path("request"), "identifier");
                errorType.samples.add(StripeObjects.text(sample, "error_message")
                        + (identifier == null ? "" : " (identifier " + identifier + ")"));
                if (identifier != null) {
                    report.identifiers.add(identifier);
                }
            }
            report.errorTypes.add(errorType);
        }
        report.receivedAt = System.currentTimeMillis();
        meterErrors.save(report);
        metrics.meterErrorReport();
        LOG.warnf("Stripe meter error report %s for meter %s: %s", event.id(), report.meterId, report.summary);
        return ProcessingOutcome.APPLIED;
    }

    /**
     * An auto-recharge PaymentIntent of billing's (it carries {@code metadata.meterline_account}); others are not
     * Meterline's to act on. billing-service credits the balance from the recorded outcome (docs/decisions/0112).
     */
    private ProcessingOutcome rechargePayment(StoredEvent event, JsonNode intent, boolean succeeded) {
        JsonNode metadata = intent.path("metadata");
        String account = StripeObjects.text(metadata, "meterline_account");
        if (account == null) {
            return ProcessingOutcome.IGNORED;
        }
        RechargePaymentDocument outcome = new RechargePaymentDocument();
        outcome.id = StripeObjects.text(intent, "id");
        outcome.account = account;
        outcome.sequence = metadata.path("meterline_recharge_sequence").asLong(0);
        outcome.amount = intent.path("amount").asLong();
        outcome.currency = StripeObjects.text(intent, "currency");
        outcome.stripeCustomer = StripeObjects.idOf(intent.get("customer"));
        outcome.lastEventCreated = event.created();
        if (!succeeded) {
            JsonNode error = intent.path("last_payment_error");
            outcome.failureCode = error.isObject() ? StripeObjects.text(error, "code") : null;
            outcome.failureCode = outcome.failureCode == null ? "payment_failed" : outcome.failureCode;
            outcome.failureMessage = error.isObject() ? StripeObjects.text(error, "message") : null;
        }
        rechargePayments.record(outcome, succeeded);
        return ProcessingOutcome.APPLIED;
    }

    private static ProcessingOutcome outcome(GuardedWrite write) {
        return write == GuardedWrite.APPLIED ? ProcessingOutcome.APPLIED : ProcessingOutcome.STALE;
    }

    private JsonNode read(String payload) {
        try {
            return json.readTree(payload);
        } catch (IOException e) {
            throw new UncheckedIOException("stored payload is not JSON", e);
        }
    }
}
