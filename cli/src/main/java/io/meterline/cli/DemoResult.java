package io.meterline.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a demo run found, besides what it printed: each step's answer (HTTP status and accepted/duplicate/rejected
 * counts of an ingest call, or the number a step showed) and, per billed hour, Meterline's total next to what the
 * Stripe stand-in's meter event summaries hold. {@code DemoIT} asserts on it.
 */
final class DemoResult {

    /** An ingest answer: status and per-event counts. */
    record Answer(int status, int accepted, int duplicates, int rejected) {

        static Answer of(JsonNode answer) {
            return new Answer(answer.path("_status").asInt(), answer.path("accepted").asInt(),
                    answer.path("duplicates").asInt(), answer.path("rejected").asInt());
        }
    }

    /** One hourly window of a billed customer: Meterline's billable total and Stripe's summed summaries. */
    record Total(String meter, String customer, String hour, double meterline, double stripe, boolean billed) {

        boolean equal() {
            return meterline == stripe;
        }
    }

    private final Map<String, Answer> answers = new LinkedHashMap<>();
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final List<Total> totals = new ArrayList<>();

    /** Records an ingest answer under {@code step} (e.g. {@code "6 batch"}) and returns it. */
    synchronized JsonNode answer(String step, JsonNode answer) {
        answers.put(step, Answer.of(answer));
        return answer;
    }

    /** Records a count a step showed, e.g. {@code "11 reported"} (every count is kept as a {@code Long}). */
    synchronized void value(String name, long count) {
        values.put(name, count);
    }

    /** Records what else a step showed: a status and code, a flag. */
    synchronized void value(String name, Object value) {
        values.put(name, value);
    }

    synchronized void total(Total total) {
        totals.add(total);
    }

    synchronized Map<String, Answer> answers() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(answers));
    }

    synchronized Map<String, Object> values() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    synchronized List<Total> totals() {
        return List.copyOf(totals);
    }

    @Override
    public synchronized String toString() {
        return "answers " + answers + "\nvalues " + values + "\ntotals " + totals;
    }
}
