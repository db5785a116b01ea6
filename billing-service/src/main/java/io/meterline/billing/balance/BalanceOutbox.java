package io.meterline.billing.balance;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.kafka.KafkaClientConfig;
import io.meterline.billing.stripe.StripeCallException;
import io.meterline.billing.stripe.StripeRecharges;
import io.meterline.model.UsageEventJson;
import io.meterline.model.billing.RechargePaymentDocument;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What a balance write queued, done after it: {@code balance.recharge_needed} records to Kafka (removed from the
 * balance document once acknowledged), the auto-recharge PaymentIntent (one per crossing, deterministic
 * Idempotency-Key, so concurrent or repeated attempts create one charge), and the outcomes webhook-service recorded
 * for those PaymentIntents (a success credits the balance once, keyed by the PaymentIntent; a failure stops that
 * recharge). Triggered right after the write and swept every {@code billing.balance.sweep-interval}.
 */
@ApplicationScoped
public class BalanceOutbox {

    private static final Logger LOG = Logger.getLogger(BalanceOutbox.class);

    private final BalanceService balances;
    private final BalanceRepository repository;
    private final StripeRecharges stripe;
    private final BalanceMetrics metrics;
    private final BillingConfig config;
    private final KafkaClientConfig kafka;
    private volatile KafkaProducer<String, String> producer;
    /** One publisher per account inside this instance: concurrent triggers must not send the same record twice. */
    private final Object[] publishLocks = new Object[256];

    public BalanceOutbox(BalanceService balances, BalanceRepository repository, StripeRecharges stripe,
            BalanceMetrics metrics, BillingConfig config,
            KafkaClientConfig kafka) {
        this.balances = balances;
        this.repository = repository;
        this.stripe = stripe;
        this.metrics = metrics;
        this.config = config;
        this.kafka = kafka;
        for (int i = 0; i < publishLocks.length; i++) {
            publishLocks[i] = new Object();
        }
    }

    void onStart(@Observes StartupEvent event) {
        try (Admin admin = Admin.create(kafka.admin(Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000)))) {
            admin.createTopics(List.of(new NewTopic(config.balance().notificationsTopic(), 3, (short) -1))).all()
                    .get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf("cannot create topic %s: %s", config.balance().notificationsTopic(), e.getCause());
            }
        } catch (Exception e) {
            LOG.warnf("cannot create topic %s: %s", config.balance().notificationsTopic(), e);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        KafkaProducer<String, String> current = producer;
        if (current != null) {
            current.close(java.time.Duration.ofSeconds(5));
        }
    }

    void onWrite(@ObservesAsync BalanceService.OutboxWork work) {
        try {
            process(work.account());
        } catch (RuntimeException e) {
            LOG.warnf("balance outbox of %s: %s (the sweep retries)", work.account(), e.toString());
        }
    }

    @Scheduled(every = "${billing.balance.sweep-interval:PT1S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        // one scan for both passes (each writes only from a fresh read of the balance it acts on)
        List<BalanceDocument> scanned = repository.scan();
        balances.sweepPending(scanned);
        for (BalanceDocument document : scanned) {
            if (!document.outbox.isEmpty() || rechargeWanted(document)) {
                process(document.id);
            }
        }
        applyPayments();
    }

    /** Publishes the account's queued notifications and requests its pending recharge. Safe to run concurrently. */
    public void process(String account) {
        BalanceDocument document = repository.find(account);
        if (document == null) {
            return;
        }
        if (!document.outbox.isEmpty()) {
            synchronized (publishLocks[Math.floorMod(account.hashCode(), publishLocks.length)]) {
                // re-read under the lock: what a concurrent trigger already sent and removed is gone
                BalanceDocument current = repository.find(account);
                if (current != null && !current.outbox.isEmpty()) {
                    publish(current);
                }
            }
        }
        if (rechargeWanted(document)) {
            requestRecharge(document);
        }
    }

    /** Applies what webhook-service recorded about recharge PaymentIntents. */
    public void applyPayments() {
        for (RechargePaymentDocument payment : repository.unhandledPayments()) {
            try {
                applyPayment(payment);
            } catch (RuntimeException e) {
                LOG.warnf("recharge payment %s: %s (retried)", payment.id, e.toString());
            }
        }
    }

    private static boolean rechargeWanted(BalanceDocument document) {
        return document.recharge != null && "pending".equals(document.recharge.status);
    }

    private void publish(BalanceDocument document) {
        Set<String> sent = new HashSet<>();
        for (BalanceDocument.Notification notification : document.outbox) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("type", notification.type);
            value.put("id", notification.id);
            value.put("customer", document.customer);
            value.put("currency", document.currency);
            value.put("sequence", notification.sequence);
            value.put("balance", notification.balance);
            value.put("threshold", notification.threshold);
            value.put("at", notification.at.toInstant().toString());
            try {
                producer().send(new ProducerRecord<>(config.balance().notificationsTopic(), document.customer,
                        UsageEventJson.mapper().writeValueAsString(value))).get(30, TimeUnit.SECONDS);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            } catch (Exception e) {
                LOG.warnf("publishing %s failed: %s (retried by the sweep)", notification.id, e.toString());
                break;
            }
            sent.add(notification.id);
        }
        if (sent.isEmpty()) {
            return;
        }
        BalanceDocument written = balances.updateRecharge(document.id, next -> next.outbox.removeIf(n -> sent.contains(n.id)));
        if (written != null) {
            // counted by the instance whose write removed them; a crash before this write re-sends with the same id
            sent.forEach(id -> metrics.notificationPublished());
        }
    }

    private void requestRecharge(BalanceDocument document) {
        BalanceDocument.Recharge recharge = document.recharge;
        if (!stripe.live() || document.autoRecharge == null || document.autoRecharge.stripeCustomer == null) {
            return;
        }
        long sequence = recharge.sequence;
        StripeRecharges.Charge charge = new StripeRecharges.Charge(document.autoRecharge.stripeCustomer, recharge.amount,
                document.currency, "meterline-recharge-" + document.id + "-" + sequence,
                "Meterline auto-recharge of " + document.customer + " (#" + sequence + ")",
                Map.of("meterline_account", document.id, "meterline_customer", document.customer,
                        "meterline_recharge_sequence", Long.toString(sequence)));
        StripeRecharges.Result result;
        try {
            result = stripe.charge(charge);
        } catch (StripeCallException e) {
            if (e.retryable()) {
                LOG.warnf("recharge %s #%d: %s (retried with the same idempotency key)", document.id, sequence,
                        e.getMessage());
                return;
            }
            result = new StripeRecharges.Result(null, null, e.code() == null ? "stripe_error" : e.code());
        }
        StripeRecharges.Result outcome = result;
        BalanceDocument written = balances.updateRecharge(document.id, next -> {
            if (next.recharge == null || next.recharge.sequence != sequence || !"pending".equals(next.recharge.status)) {
                return false;
            }
            next.recharge.paymentIntent = outcome.paymentIntent();
            next.recharge.requestedAt = new java.util.Date();
            next.recharge.status = outcome.declined() ? "failed" : "requested";
            next.recharge.failureCode = outcome.failureCode();
            return true;
        });
        if (written != null) {
            metrics.recharges(outcome.declined() ? "failed" : "requested").increment();
            LOG.infof("recharge %s #%d: PaymentIntent %s %s", document.id, sequence, outcome.paymentIntent(),
                    outcome.declined() ? "declined (" + outcome.failureCode() + ")" : outcome.status());
        }
    }

    private void applyPayment(RechargePaymentDocument payment) {
        String account = payment.account;
        int bar = account == null ? -1 : account.lastIndexOf('|');
        if (bar < 0) {
            LOG.warnf("recharge payment %s names no balance account; ignored", payment.id);
            repository.markHandled(payment.id, payment.revision);
            return;
        }
        String customer = account.substring(0, bar);
        String currency = account.substring(bar + 1);
        long sequence = payment.sequence;
        if (payment.succeeded) {
            balances.move(customer, currency, new BalanceService.Movement(BalanceService.Kind.RECHARGE, payment.amount,
                    "recharge:" + payment.id, "auto_recharge", payment.id));
            BalanceDocument written = balances.updateRecharge(account, next -> {
                if (next.recharge == null || next.recharge.sequence != sequence || "succeeded".equals(next.recharge.status)) {
                    return false;
                }
                next.recharge.status = "succeeded";
                next.recharge.paymentIntent = payment.id;
                next.recharge.failureCode = null;
                return true;
            });
            if (written != null) {
                metrics.recharges("succeeded").increment();
            }
        } else if (payment.failureCode != null) {
            BalanceDocument written = balances.updateRecharge(account, next -> {
                if (next.recharge == null || next.recharge.sequence != sequence
                        || "succeeded".equals(next.recharge.status) || "failed".equals(next.recharge.status)) {
                    return false;
                }
                next.recharge.status = "failed";
                next.recharge.paymentIntent = payment.id;
                next.recharge.failureCode = payment.failureCode;
                return true;
            });
            if (written != null) {
                metrics.recharges("failed").increment();
            }
        }
        repository.markHandled(payment.id, payment.revision);
    }

    private KafkaProducer<String, String> producer() {
        KafkaProducer<String, String> current = producer;
        if (current == null) {
            synchronized (this) {
                if (producer == null) {
                    Map<String, Object> props = new LinkedHashMap<>();
                    props.put(ProducerConfig.ACKS_CONFIG, "all");
                    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                    props.put(ProducerConfig.CLIENT_ID_CONFIG, "billing-balance-notifications");
                    producer = new KafkaProducer<>(kafka.producer(props), new StringSerializer(), new StringSerializer());
                }
                current = producer;
            }
        }
        return current;
    }
}
