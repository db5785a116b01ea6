package io.meterline.billing.period;

import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.kafka.KafkaClientConfig;
import io.meterline.billing.notification.NotificationService;
import io.meterline.model.UsageEventJson;
import io.meterline.model.period.UsagePeriodNotification;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * Publishes closed periods exactly once per (period, revision): a publication record per batch
 * ({@link PeriodPublicationDocument}, written before the insert that closes the batch, deleted once done), a
 * transactional producer, and, for a publication a crash interrupted, a check of the topic (read_committed) before
 * publishing again. Each publication first fans out to webhook deliveries (idempotent: one delivery per endpoint and
 * id).
 */
@ApplicationScoped
public class PeriodPublisher {

    private static final Logger LOG = Logger.getLogger(PeriodPublisher.class);
    /** Longer than this and the coordinator aborts an open transaction of a dead instance. */
    static final int TRANSACTION_TIMEOUT_MS = 60_000;
    /** Publications (up to {@code batch-size} revisions each) one recovery run takes. */
    private static final int RECOVER_PUBLICATIONS = 5;

    private final BillingConfig config;
    private final PeriodRepository repository;
    private final NotificationService notifications;
    private final KafkaClientConfig kafka;
    private final String instance = UUID.randomUUID().toString().substring(0, 12);
    private final Counter published;
    private final Counter recovered;
    private KafkaProducer<String, byte[]> producer;

    public PeriodPublisher(BillingConfig config, PeriodRepository repository, NotificationService notifications,
            KafkaClientConfig kafka, MeterRegistry registry) {
        this.config = config;
        this.repository = repository;
        this.notifications = notifications;
        this.kafka = kafka;
        this.published = Counter.builder("meterline_periods_published").description("closed period revisions published to Kafka")
                .register(registry);
        this.recovered = Counter.builder("meterline_periods_publications_recovered")
                .description("interrupted publications finished after checking the topic").register(registry);
    }

    public String instance() {
        return instance;
    }

    public String modeLine() {
        return notifications.mode();
    }

    void onStart(@Observes StartupEvent event) {
        try (Admin admin = Admin.create(kafka.admin(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000")))) {
            admin.createTopics(List.of(new NewTopic(topic(), config.aggregation().topicPartitions(), (short) -1)))
                    .all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf("cannot create topic %s: %s", topic(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized void onStop(@Observes ShutdownEvent event) {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    private String topic() {
        return config.notifications().topic();
    }

    /**
     * Starts the publication of a batch about to be inserted: names it on every document and records it, before the
     * insert, so no inserted revision is without a publication to finish or recover. Returns its id.
     */
    public String start(List<PeriodDocument> batch) {
        PeriodPublicationDocument publication = new PeriodPublicationDocument();
        publication.id = "pp_" + instance + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        publication.periodIds = new ArrayList<>(batch.size());
        for (PeriodDocument document : batch) {
            document.publication = publication.id;
            publication.periodIds.add(document.id);
        }
        publication.startedAt = new Date();
        publication.at = publication.startedAt;
        publication.by = instance;
        repository.startPublication(publication);
        return publication.id;
    }

    /** Publishes the revisions this instance has just inserted under {@code publication}, then finishes it. */
    public void publish(String publication, List<PeriodDocument> documents) {
        List<UsagePeriodNotification> batch = new ArrayList<>(documents.size());
        List<String> payloads = new ArrayList<>(documents.size());
        for (PeriodDocument document : documents) {
            UsagePeriodNotification notification = toNotification(document);
            batch.add(notification);
            payloads.add(NotificationService.payload(notification)); // written once: webhook body and record value
        }
        try {
            if (!batch.isEmpty()) {
                notifications.fanOut(batch, payloads);
                send(batch, payloads);
            }
            repository.finishPublication(publication);
        } catch (RuntimeException e) {
            // the publication stays recorded: the recovery checks the topic and finishes it
            LOG.warnf("publishing %d closed periods failed, recovery will finish it: %s", batch.size(), e.toString());
        }
    }

    private synchronized void send(List<UsagePeriodNotification> batch, List<String> payloads) {
        KafkaProducer<String, byte[]> kafka = producer();
        try {
            kafka.beginTransaction();
            for (int i = 0; i < batch.size(); i++) {
                UsagePeriodNotification notification = batch.get(i);
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic(), notification.customer(),
                        payloads.get(i).getBytes(StandardCharsets.UTF_8));
                record.headers().add(UsagePeriodNotification.HEADER_ID, notification.id().getBytes(StandardCharsets.UTF_8));
                kafka.send(record);
            }
            kafka.commitTransaction();
            published.increment(batch.size());
        } catch (KafkaException e) {
            // a fresh producer next time (fenced or fatal states cannot be aborted and reused)
            producer.close(Duration.ZERO);
            producer = null;
            throw new IllegalStateException("Kafka transaction failed", e);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "billing-periods-" + instance);
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            producer = new KafkaProducer<>(kafka.producer(props), new StringSerializer(), new ByteArraySerializer());
            producer.initTransactions();
        }
        return producer;
    }

    /**
     * Finishes publications a crash (or Kafka outage) interrupted: takes each over by compare-and-set, looks for its id
     * on the topic (read_committed: by now its transaction is committed or aborted) and publishes only what is absent.
     */
    @Scheduled(identity = "period-publication-recovery", every = "${billing.notifications.publish-recovery-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void recoverJob() {
        try {
            recover();
        } catch (RuntimeException e) {
            LOG.warnf("publication recovery failed; the next run retries: %s", e.toString());
        }
    }

    public int recover() {
        Date cutoff = new Date(System.currentTimeMillis() - config.notifications().publishRecoveryAfter().toMillis());
        List<PeriodPublicationDocument> unfinished = repository.unfinishedPublications(cutoff, RECOVER_PUBLICATIONS);
        if (unfinished.isEmpty()) {
            return 0;
        }
        Date now = new Date();
        List<PeriodPublicationDocument> mine = new ArrayList<>();
        long earliest = Long.MAX_VALUE;
        for (PeriodPublicationDocument publication : unfinished) {
            if (repository.claimPublication(publication, now, instance)) {
                mine.add(publication);
                earliest = Math.min(earliest, (publication.startedAt != null ? publication.startedAt : publication.at).getTime());
            }
        }
        if (mine.isEmpty()) {
            return 0;
        }
        List<UsagePeriodNotification> closed = new ArrayList<>();
        for (PeriodPublicationDocument publication : mine) {
            for (PeriodDocument document : repository.closedBy(publication)) {
                closed.add(toNotification(document));
            }
        }
        Set<String> onTopic = closed.isEmpty() ? Set.of() : idsOnTopic(earliest - Duration.ofMinutes(5).toMillis());
        List<UsagePeriodNotification> missing = closed.stream().filter(n -> !onTopic.contains(n.id())).toList();
        notifications.fanOut(closed);
        if (!missing.isEmpty()) {
            send(missing, missing.stream().map(NotificationService::payload).toList());
        }
        for (PeriodPublicationDocument publication : mine) {
            repository.finishPublication(publication.id);
        }
        recovered.increment(closed.size());
        LOG.infof("recovered %d interrupted period publications of %d closed periods: %d were on the topic already, "
                + "%d published now", mine.size(), closed.size(), closed.size() - missing.size(), missing.size());
        return closed.size();
    }

    /** Ids of the records on the topic since {@code fromMillis}, as read_committed consumers see them. */
    private Set<String> idsOnTopic(long fromMillis) {
        Set<String> ids = new HashSet<>();
        Map<String, Object> props = kafka.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic())) {
                partitions.add(new TopicPartition(topic(), info.partition()));
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(partition -> times.put(partition, fromMillis));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = starts.get(partition);
                consumer.seek(partition, start == null ? ends.get(partition) : start.offset());
            }
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Header header = record.headers().lastHeader(UsagePeriodNotification.HEADER_ID);
                    if (header != null) {
                        ids.add(new String(header.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return ids;
    }

    static UsagePeriodNotification toNotification(PeriodDocument document) {
        return new UsagePeriodNotification(document.id,
                document.revision == 0 ? UsagePeriodNotification.CLOSED : UsagePeriodNotification.REVISED,
                document.meter, document.customer, document.organization,
                document.group == null ? Map.of() : document.group, document.size, document.start.toInstant(),
                document.end.toInstant(), document.timeZone, document.aggregation, document.value, document.eventCount,
                document.revision, document.previousValue, document.previousEventCount, document.reason,
                document.closedAt.toInstant());
    }
}
