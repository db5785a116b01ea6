package io.meterline.billing.reconciliation;

import io.meterline.billing.logging.LogContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.billing.aggregation.AcceptedEvents;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.config.SourceConfig;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.model.UsageEvent;
import io.meterline.model.UsageEventJson;
import io.meterline.model.UsageEventValidator;
import io.meterline.model.Violation;
import io.meterline.model.usage.Windows;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Reconciles a usage provider: lists what it recorded for a range (pulled page by page, or pushed in a batch), finds
 * the events Meterline never accepted (by (source, id), in aggregation's deduplication store) and ingests them through
 * the normal path, flagged {@code reconciled: true}. Invalid records are reported with their reasons, never ingested.
 * Reliability below the threshold raises an alert: a metric and one {@code billing-notifications} record per customer
 * that missed events.
 */
@ApplicationScoped
public class UsageSourceService {

    private static final Logger LOG = Logger.getLogger(UsageSourceService.class);
    private static final int MAX_PAGES = 100_000;

    private final BillingConfig config;
    private final AcceptedEvents accepted;
    private final UsageEventPublisher publisher;
    private final SourceRepository repository;
    private final ReconciliationMetrics metrics;
    private final UsageEventValidator validator;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public UsageSourceService(BillingConfig config, AcceptedEvents accepted, UsageEventPublisher publisher,
            SourceRepository repository, ReconciliationMetrics metrics) {
        this.config = config;
        this.accepted = accepted;
        this.publisher = publisher;
        this.repository = repository;
        this.metrics = metrics;
        this.validator = new UsageEventValidator(Clock.systemUTC(), config.aggregation().lookback());
    }

    /** Lists a pull source's records for [from, to) and reconciles them. */
    public SourceRun pull(String name, Instant from, Instant to, String trigger) {
        SourceConfig source = source(name);
        if (!"pull".equals(source.kind()) || source.url().isEmpty()) {
            throw BillingException.invalidParameter("name", "not_a_pull_source",
                    "usage source " + name + " is not a pull source with a url");
        }
        SourceRun run = start(name, "pull", trigger, from, to);
        try (LogContext ignored = LogContext.run(run.id)) {
            List<JsonNode> records = new ArrayList<>();
            try {
                fetch(source, from, to, records, run);
            } catch (IOException | RuntimeException e) {
                run.status = "aborted";
                run.abortReason = e.toString();
                run.finished = Instant.now();
                repository.save(run);
                throw new BillingException(ErrorCode.USAGE_SOURCE_UNAVAILABLE, "usage source " + name + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return reconcile(source, run, records);
        }
    }

    /** Reconciles a batch of records a push source sent. */
    public SourceRun push(String name, Instant from, Instant to, List<JsonNode> records) {
        SourceConfig source = source(name);
        SourceRun run = start(name, "push", "push", from, to);
        run.pages = 1;
        try (LogContext ignored = LogContext.run(run.id)) {
            return reconcile(source, run, records);
        }
    }

    public SourceRun find(String id) {
        SourceRun run = repository.find(id);
        if (run == null) {
            throw new BillingException(ErrorCode.USAGE_SOURCE_NOT_FOUND, "no source run " + id);
        }
        return run;
    }

    public List<SourceRun> recent(String name, int limit) {
        source(name);
        return repository.recent(name, limit);
    }

    private SourceConfig source(String name) {
        SourceConfig source = config.sources().get(name);
        if (source == null) {
            throw new BillingException(ErrorCode.USAGE_SOURCE_NOT_FOUND, "no usage source " + name
                    + " is configured (billing.sources." + name + ".*)");
        }
        return source;
    }

    private SourceRun start(String name, String kind, String trigger, Instant from, Instant to) {
        SourceRun run = new SourceRun();
        run.id = "src_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        run.source = name;
        run.kind = kind;
        run.trigger = trigger;
        run.status = "running";
        run.from = from;
        run.to = to;
        run.started = Instant.now();
        run.threshold = config.reconciliation().reliabilityThreshold();
        return run;
    }

    private void fetch(SourceConfig source, Instant from, Instant to, List<JsonNode> records, SourceRun run)
            throws IOException, InterruptedException {
        String cursor = null;
        boolean byPage = "page".equals(source.pagination());
        for (int page = 1; page <= MAX_PAGES; page++) {
            StringBuilder url = new StringBuilder(source.url().get());
            url.append(url.indexOf("?") < 0 ? '?' : '&').append("from=").append(encode(from.toString()))
                    .append("&to=").append(encode(to.toString())).append("&limit=").append(source.pageSize());
            if (byPage) {
                url.append("&page=").append(page);
            } else if (cursor != null) {
                url.append("&cursor=").append(encode(cursor));
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString()))
                    .timeout(Duration.ofSeconds(30)).header("Accept", "application/json").GET();
            source.token().ifPresent(token -> request.header("Authorization", "Bearer " + token));
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("the provider answered " + response.statusCode() + " for page " + page);
            }
            JsonNode body = UsageEventJson.parseTree(response.body());
            JsonNode data = SourceRecordMapper.at(body, source.recordsPath());
            run.pages++;
            data.forEach(records::add);
            if (byPage) {
                if (data.size() < source.pageSize()) {
                    return;
                }
            } else {
                JsonNode next = SourceRecordMapper.at(body, source.cursorPath());
                if (next.isMissingNode() || next.isNull() || next.asText().isEmpty() || data.isEmpty()) {
                    return;
                }
                cursor = next.asText();
            }
        }
        throw new IOException("more than " + MAX_PAGES + " pages");
    }

    private SourceRun reconcile(SourceConfig source, SourceRun run, List<JsonNode> records) {
        Predicate<String> accepted = this.accepted.reader(Duration.ofSeconds(30));
        Predicate<String> known = dedupKey -> {
            try {
                return accepted.test(dedupKey);
            } catch (IllegalStateException e) {
                throw new BillingException(ErrorCode.UNAVAILABLE, "cannot tell which events were accepted: " + e.getMessage());
            }
        };
        Set<String> seen = new HashSet<>();
        List<UsageEventPublisher.Message> missing = new ArrayList<>();
        List<RecoveredEvent> recovered = new ArrayList<>();
        Map<String, Long> missingBySubject = new LinkedHashMap<>();
        double units = 0;
        Instant now = Instant.now();
        for (JsonNode record : records) {
            run.listed++;
            ObjectNode event = SourceRecordMapper.toEvent(record, source);
            UsageEventValidator.Result result = validator.validate(event);
            if (!result.valid()) {
                invalid(run, event, result.firstViolation());
                continue;
            }
            UsageEvent usage = result.event();
            if (usage.time().isBefore(run.from) || !usage.time().isBefore(run.to)) {
                invalid(run, event, new Violation("time", "outside_range", "time is outside the run's range"));
                continue;
            }
            if (!seen.add(usage.dedupKey())) {
                continue;
            }
            run.expected++;
            if (known.test(usage.dedupKey())) {
                run.received++;
                continue;
            }
            missing.add(new UsageEventPublisher.Message(usage.partitionKey(), event.toString().getBytes(StandardCharsets.UTF_8)));
            missingBySubject.merge(usage.subject(), 1L, Long::sum);
            RecoveredEvent r = new RecoveredEvent();
            r.id = usage.dedupKey();
            r.source = usage.source();
            r.eventId = usage.id();
            r.subject = usage.subject();
            r.type = usage.type();
            r.time = usage.time();
            r.hour = Windows.hourStart(usage.time()).getEpochSecond();
            JsonNode value = usage.data().get(source.valueField());
            r.value = value != null && value.isNumber() ? value.doubleValue() : null;
            r.runId = run.id;
            r.recoveredAt = now;
            recovered.add(r);
            units += r.value == null ? 1 : r.value;
        }
        // recorded before publishing, so an explain never misses an event that is being counted
        repository.saveRecovered(recovered);
        publisher.usageEvents(missing);
        run.recovered = missing.size();
        run.reliability = run.expected == 0 ? 1.0 : (double) run.received / run.expected;
        run.alert = run.reliability < run.threshold;
        double recoveredUnits = units;
        run.estimatedRevenueRecovered = source.unitPrice().map(price -> price * recoveredUnits).orElse(null);
        if (run.alert) {
            List<UsageEventPublisher.Message> alerts = new ArrayList<>();
            missingBySubject.forEach((subject, n) -> alerts.add(new UsageEventPublisher.Message(subject,
                    alert(run, subject, n).toString().getBytes(StandardCharsets.UTF_8))));
            publisher.notifications(alerts);
        }
        run.status = "completed";
        run.finished = Instant.now();
        repository.save(run);
        metrics.recordSource(run.source, run.recovered, run.reliability, run.alert);
        LOG.infof("source run %s (%s): expected=%d received=%d recovered=%d invalid=%d reliability=%.4f alert=%s",
                run.id, run.source, run.expected, run.received, run.recovered, run.invalid, run.reliability, run.alert);
        return run;
    }

    private static ObjectNode alert(SourceRun run, String subject, long missing) {
        ObjectNode alert = UsageEventJson.mapper().createObjectNode();
        alert.put("type", "usage_source_reliability_low");
        alert.put("customer", subject);
        alert.put("source", run.source);
        alert.put("runId", run.id);
        alert.put("reliability", run.reliability);
        alert.put("threshold", run.threshold);
        alert.put("expected", run.expected);
        alert.put("received", run.received);
        alert.put("recovered", run.recovered);
        alert.put("customerRecovered", missing);
        alert.put("from", run.from.toString());
        alert.put("to", run.to.toString());
        return alert;
    }

    private void invalid(SourceRun run, ObjectNode event, Violation violation) {
        run.invalid++;
        if (run.invalidRecords.size() < config.reconciliation().maxRecordedInvalid()) {
            SourceRun.InvalidRecord r = new SourceRun.InvalidRecord();
            JsonNode id = event.get("id");
            r.id = id == null ? null : id.asText();
            r.field = violation.field();
            r.reason = violation.reason();
            r.message = violation.message();
            run.invalidRecords.add(r);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
