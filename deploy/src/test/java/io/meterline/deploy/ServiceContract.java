package io.meterline.deploy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What one service serves and reads, taken from the service itself (its application.properties on the classpath
 * and its {@code @ConfigMapping}), so that the manifests are checked against the code rather than a copy of it.
 */
record ServiceContract(String name, Properties properties, Set<String> mappingKeys) {

    /** Keys a service reads that have no value in application.properties on purpose (secrets). */
    private static final Set<String> SECRET_KEYS = Set.of("mp.jwt.verify.publickey");

    static ServiceContract of(String name, String propertiesResource, Class<?> mapping) {
        Properties properties = new Properties();
        // every service module has its own application.properties: read the one beside the mapping class
        try {
            java.net.URI location = mapping.getProtectionDomain().getCodeSource().getLocation().toURI();
            java.net.URL url = location.getPath().endsWith(".jar")
                    ? new java.net.URL("jar:" + location + "!/" + propertiesResource)
                    : location.resolve(propertiesResource).toURL();
            try (InputStream in = url.openStream()) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Set<String> keys = new LinkedHashSet<>();
        collect(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping, keys);
        return new ServiceContract(name, properties, keys);
    }

    static ServiceContract ingest() {
        return of("ingest-service", "application.properties", io.meterline.ingest.config.IngestConfig.class);
    }

    static ServiceContract billing() {
        return of("billing-service", "application.properties", io.meterline.billing.config.BillingConfig.class);
    }

    static ServiceContract webhook() {
        return of("webhook-service", "application.properties", io.meterline.webhook.config.WebhookConfig.class);
    }

    /** The value the service runs with in production (the default profile), or empty. */
    Optional<String> value(String key) {
        return Optional.ofNullable(properties.getProperty(key));
    }

    int httpPort() {
        return Integer.parseInt(value("quarkus.http.port").orElse("8080"));
    }

    private String nonApplicationPath(String key, String defaultPath) {
        String root = "/" + strip(value("quarkus.http.non-application-root-path").orElse("q"));
        return root + "/" + strip(value(key).orElse(defaultPath));
    }

    String healthPath(String kind) {
        String health = nonApplicationPath("quarkus.smallrye-health.root-path", "health");
        String sub = switch (kind) {
            case "live" -> value("quarkus.smallrye-health.liveness-path").orElse("live");
            case "ready" -> value("quarkus.smallrye-health.readiness-path").orElse("ready");
            case "started" -> value("quarkus.smallrye-health.startup-path").orElse("started");
            default -> throw new IllegalArgumentException(kind);
        };
        return health + "/" + strip(sub);
    }

    String metricsPath() {
        return nonApplicationPath("quarkus.micrometer.export.prometheus.path", "metrics");
    }

    /** Whether an environment variable of this name sets a key the service reads (SmallRye's env-name rule). */
    boolean reads(String envName) {
        if (readsKafkaClientConfig() && kafkaClientKeys().contains(envName)) {
            return true;
        }
        for (String key : knownKeys()) {
            Pattern pattern = Pattern.compile(envName(key).replace("*", "[A-Z0-9_]+"));
            if (pattern.matcher(envName).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A service with a Kafka connection ({@code kafka.bootstrap.servers}) hands every {@code kafka.*} key to all its
     * Kafka clients (the Quarkus Kafka client's collection, which billing's KafkaClientConfig and Kafka Streams read):
     * any Kafka client setting is read, under {@code KAFKA_<NAME>} (the extension turns {@code _} into {@code .}).
     */
    boolean readsKafkaClientConfig() {
        return value("kafka.bootstrap.servers").isPresent();
    }

    static Set<String> kafkaClientKeys() {
        Set<String> names = new LinkedHashSet<>();
        names.addAll(org.apache.kafka.clients.producer.ProducerConfig.configNames());
        names.addAll(org.apache.kafka.clients.consumer.ConsumerConfig.configNames());
        names.addAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
        Set<String> env = new LinkedHashSet<>();
        for (String name : names) {
            env.add(envName("kafka." + name));
        }
        return env;
    }

    Set<String> knownKeys() {
        Set<String> keys = new LinkedHashSet<>(mappingKeys);
        keys.addAll(SECRET_KEYS);
        for (String key : properties.stringPropertyNames()) {
            // %test.x / %dev.x are the same key in another profile
            keys.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
        }
        return keys;
    }

    /** SmallRye Config's environment variable for a property: upper case, every non-alphanumeric an underscore. */
    static String envName(String key) {
        StringBuilder out = new StringBuilder();
        for (char c : key.toCharArray()) {
            out.append(c == '*' ? '*' : Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        }
        return out.toString();
    }

    private static void collect(String prefix, Class<?> type, Set<String> keys) {
        for (Method method : type.getMethods()) {
            if (method.getParameterCount() > 0 || method.isDefault() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String name = method.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (method.isAnnotationPresent(WithName.class)
                            ? method.getAnnotation(WithName.class).value() : kebab(method.getName()));
            collectType(name, method.getGenericReturnType(), keys);
        }
    }

    private static void collectType(String key, Type type, Set<String> keys) {
        if (type instanceof ParameterizedType parameterized) {
            Class<?> raw = (Class<?>) parameterized.getRawType();
            Type[] args = parameterized.getActualTypeArguments();
            if (raw == Optional.class) {
                collectType(key, args[0], keys);
                return;
            }
            if (java.util.Map.class.isAssignableFrom(raw)) {
                collectType(key + ".*", args[1], keys);
                return;
            }
            keys.add(key);
            return;
        }
        if (type instanceof Class<?> cls && cls.isInterface() && !cls.getName().startsWith("java.")) {
            collect(key, cls, keys);
            return;
        }
        keys.add(key);
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static String strip(String path) {
        return path.replaceAll("^/+|/+$", "");
    }
}
