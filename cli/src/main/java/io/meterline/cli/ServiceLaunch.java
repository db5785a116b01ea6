package io.meterline.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How a packaged service is started: ordinary configuration as {@code -D} options, secrets (keys, signing secrets,
 * passwords, tokens) as environment variables in Quarkus' naming ({@code webhook.signing-secrets} →
 * {@code WEBHOOK_SIGNING_SECRETS}). A process's command line is readable by every local user ({@code ps}, /proc);
 * its environment only by its owner.
 */
record ServiceLaunch(List<String> command, Map<String, String> environment) {

    private static final Pattern SECRET_KEY = Pattern.compile(".*(api-key|secret|secrets|password|token)$");

    /** The heap a service gets unless a workload asks for more. */
    static final String DEFAULT_HEAP = "1g";

    /**
     * billing-service's young generation with the default heap: a fixed 256 MB of its 1 GB rather than the parallel
     * collector's adaptive ≈ 80 MB, which at 5,000 entitlement checks/s filled about once a second and so paused every
     * check in flight once a second (decision 0156). A workload that asks for a larger heap keeps the collector's
     * sizing (its adaptive young generation may grow past this).
     */
    static final String BILLING_YOUNG_GENERATION = "256m";

    /** JVM options a service gets besides its heap and collector ({@code billing}: its young generation). */
    static List<String> serviceOptions(String service, String heap) {
        return service.equals("billing") && heap.equals(DEFAULT_HEAP) ? List.of("-Xmn" + BILLING_YOUNG_GENERATION) : List.of();
    }

    static ServiceLaunch of(String java, Path jar, Map<String, String> config) {
        return of(java, jar, DEFAULT_HEAP, config);
    }

    /** {@code heap}: the JVM's maximum heap, as {@code -Xmx} takes it ({@code 1g}, {@code 3g}). */
    static ServiceLaunch of(String java, Path jar, String heap, Map<String, String> config) {
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseParallelGC"));
        Map<String, String> environment = new LinkedHashMap<>();
        config.forEach((key, value) -> {
            if (SECRET_KEY.matcher(key).matches()) {
                environment.put(environmentName(key), value);
            } else {
                command.add("-D" + key + "=" + value);
            }
        });
        command.addAll(List.of("-jar", jar.toString()));
        return new ServiceLaunch(List.copyOf(command), Map.copyOf(environment));
    }

    /** MicroProfile Config's environment form of a property name. */
    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}
