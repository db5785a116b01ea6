package io.meterline.billing.aggregation;

import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.kafka.KafkaClientConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Creates the pipeline's topics when they are missing (Kafka Streams waits for its source topic and does not create
 * sink topics). Production creates them declaratively (Strimzi KafkaTopic); there this finds them and does nothing.
 */
@ApplicationScoped
public class AggregationTopics {

    private static final Logger LOG = Logger.getLogger(AggregationTopics.class);

    private final BillingConfig config;
    private final KafkaClientConfig kafka;

    public AggregationTopics(BillingConfig config, KafkaClientConfig kafka) {
        this.config = config;
        this.kafka = kafka;
    }

    void onStart(@Observes StartupEvent event) {
        var aggregation = config.aggregation();
        int partitions = aggregation.topicPartitions();
        try (Admin admin = Admin.create(kafka.admin(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000")))) {
            for (String topic : List.of(aggregation.inputTopic(), aggregation.dlqTopic())) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) -1))).all().get();
                    LOG.infof("created topic %s with %d partitions", topic, partitions);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        LOG.warnf("cannot create topic %s: %s", topic, e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
