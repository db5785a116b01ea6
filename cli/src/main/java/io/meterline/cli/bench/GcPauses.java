package io.meterline.cli.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stop-the-world collections between two points, in the load generator (its own collector beans) and in a service
 * (Micrometer's {@code jvm_gc_pause_seconds} from {@code /q/metrics}): whether a latency tail lines up with a pause
 * of the process that measured it or of the process that answered.
 */
record GcPauses(long generatorCount, long generatorMillis, long serviceCount, double serviceMillis) {

    private static final Pattern PAUSE = Pattern.compile("(?m)^jvm_gc_pause_seconds_(count|sum)\\{[^}]*} (\\S+)$");

    static GcPauses take(HttpClient http, String serviceUrl) {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            // G1 and Parallel report their concurrent cycles under their own beans: only the pause beans count
            if (bean.getName().contains("Concurrent") || bean.getName().contains("Cycles")) {
                continue;
            }
            count += Math.max(0, bean.getCollectionCount());
            millis += Math.max(0, bean.getCollectionTime());
        }
        long serviceCount = 0;
        double serviceSeconds = 0;
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(serviceUrl + "/q/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher line = PAUSE.matcher(metrics);
            while (line.find()) {
                if (line.group(1).equals("count")) {
                    serviceCount += Math.round(Double.parseDouble(line.group(2)));
                } else {
                    serviceSeconds += Double.parseDouble(line.group(2));
                }
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        return new GcPauses(count, millis, serviceCount, serviceSeconds * 1000);
    }

    /** The pauses since {@code this}: {@code {load_generator: {pauses, ms}, <service>: {pauses, ms}}}. */
    Map<String, Object> since(GcPauses later, String service) {
        Map<String, Object> pauses = new LinkedHashMap<>();
        pauses.put("load_generator", Map.of("pauses", later.generatorCount - generatorCount,
                "ms", later.generatorMillis - generatorMillis));
        pauses.put(service, Map.of("pauses", later.serviceCount - serviceCount,
                "ms", Math.round((later.serviceMillis - serviceMillis) * 10) / 10.0));
        return pauses;
    }
}
