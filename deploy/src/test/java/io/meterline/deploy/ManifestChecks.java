package io.meterline.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The build's checks of rendered manifests. Each returns what is wrong, as sentences naming the document, so a
 * failing build says what to fix; the tests assert the lists are empty (and that a planted mistake is found).
 */
final class ManifestChecks {

    /** Core kinds, each bound to its typed model; anything else must be one of the known custom resources. */
    static final Map<String, Class<? extends HasMetadata>> CORE_KINDS = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class));
    static final Set<String> CUSTOM_KINDS = Set.of("kafka.strimzi.io/v1beta2/Kafka", "kafka.strimzi.io/v1beta2/KafkaNodePool",
            "kafka.strimzi.io/v1beta2/KafkaTopic", "kafka.strimzi.io/v1beta2/KafkaUser", "monitoring.coreos.com/v1/PrometheusRule");
    /** The one Secret created out of band (deploy/README.md); the others are Strimzi's (users, cluster CA). */
    static final String SECRET = "meterline-secrets";

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private final List<JsonNode> docs;
    private final List<HasMetadata> typed = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    ManifestChecks(List<JsonNode> docs) {
        this.docs = docs;
    }

    /** Binds every core document to its model: a misspelt or misplaced field, or a wrong type, is a problem. */
    List<String> schema() {
        problems.clear();
        typed.clear();
        for (JsonNode doc : docs) {
            String id = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
            String name = doc.path("metadata").path("name").asText("");
            if (name.isEmpty()) {
                problems.add(id + " without metadata.name");
            }
            Class<? extends HasMetadata> type = CORE_KINDS.get(id);
            if (type == null) {
                if (!CUSTOM_KINDS.contains(id)) {
                    problems.add(id + " " + name + ": not a kind these manifests are checked for");
                }
                continue;
            }
            try {
                HasMetadata model = JSON.treeToValue(doc, type);
                unknownFields(id + " " + name, model, problems);
                typed.add(model);
            } catch (Exception e) {
                problems.add(id + " " + name + ": " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return List.copyOf(problems);
    }

    List<HasMetadata> typed() {
        if (typed.isEmpty()) {
            schema();
        }
        return typed;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return typed().stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> named(Class<T> type, String name) {
        return all(type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst();
    }

    /** Pod templates by workload name. */
    Map<String, PodTemplateSpec> podTemplates() {
        Map<String, PodTemplateSpec> out = new LinkedHashMap<>();
        all(Deployment.class).forEach(d -> out.put("Deployment " + d.getMetadata().getName(), d.getSpec().getTemplate()));
        all(StatefulSet.class).forEach(s -> out.put("StatefulSet " + s.getMetadata().getName(), s.getSpec().getTemplate()));
        all(Job.class).forEach(j -> out.put("Job " + j.getMetadata().getName(), j.getSpec().getTemplate()));
        return out;
    }

    /** Non-root, read-only root filesystem, no privilege escalation, every capability dropped, no API token. */
    List<String> hardening() {
        List<String> out = new ArrayList<>();
        Map<String, ServiceAccount> accounts = new LinkedHashMap<>();
        all(ServiceAccount.class).forEach(a -> accounts.put(a.getMetadata().getName(), a));
        podTemplates().forEach((workload, template) -> {
            var spec = template.getSpec();
            if (spec.getSecurityContext() == null || !Boolean.TRUE.equals(spec.getSecurityContext().getRunAsNonRoot())) {
                out.add(workload + ": pod securityContext.runAsNonRoot is not true");
            }
            if (!Boolean.FALSE.equals(spec.getAutomountServiceAccountToken())) {
                out.add(workload + ": automountServiceAccountToken is not false");
            }
            ServiceAccount account = accounts.get(spec.getServiceAccountName());
            if (account == null) {
                out.add(workload + ": serviceAccountName " + spec.getServiceAccountName() + " is not defined here");
            } else if (!Boolean.FALSE.equals(account.getAutomountServiceAccountToken())) {
                out.add("ServiceAccount " + account.getMetadata().getName() + ": automountServiceAccountToken is not false");
            }
            for (Container c : containers(template)) {
                var sc = c.getSecurityContext();
                String where = workload + " container " + c.getName();
                if (sc == null) {
                    out.add(where + ": no securityContext");
                    continue;
                }
                if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                    out.add(where + ": readOnlyRootFilesystem is not true");
                }
                if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                    out.add(where + ": allowPrivilegeEscalation is not false");
                }
                if (sc.getCapabilities() == null || !List.of("ALL").equals(sc.getCapabilities().getDrop())) {
                    out.add(where + ": capabilities.drop is not [ALL]");
                }
            }
        });
        return out;
    }

    /** Requests and limits (CPU and memory) on every container, the Strimzi ones included. */
    List<String> resources() {
        List<String> out = new ArrayList<>();
        podTemplates().forEach((workload, template) -> {
            for (Container c : containers(template)) {
                var r = c.getResources();
                for (String kind : List.of("cpu", "memory")) {
                    if (r == null || r.getRequests() == null || !r.getRequests().containsKey(kind)) {
                        out.add(workload + " container " + c.getName() + ": no " + kind + " request");
                    }
                    if (r == null || r.getLimits() == null || !r.getLimits().containsKey(kind)) {
                        out.add(workload + " container " + c.getName() + ": no " + kind + " limit");
                    }
                }
            }
        });
        for (JsonNode doc : docs) {
            String kind = doc.path("kind").asText();
            JsonNode resources = switch (kind) {
                case "KafkaNodePool" -> doc.path("spec").path("resources");
                case "Kafka" -> doc.path("spec").path("entityOperator").path("topicOperator").path("resources");
                default -> null;
            };
            if (resources != null && (!resources.path("requests").has("memory") || !resources.path("limits").has("memory")
                    || !resources.path("requests").has("cpu") || !resources.path("limits").has("cpu"))) {
                out.add(kind + " " + doc.path("metadata").path("name").asText() + ": requests and limits incomplete");
            }
        }
        return out;
    }

    /**
     * Probe paths, the HTTP port and the metrics path of each service container against what the service serves;
     * every environment key it receives (directly or from a ConfigMap) against the keys it reads.
     */
    List<String> serviceContracts(List<ServiceContract> contracts) {
        List<String> out = new ArrayList<>();
        Map<String, PodTemplateSpec> templates = podTemplates();
        for (ServiceContract contract : contracts) {
            var entry = templates.entrySet().stream()
                    .filter(e -> e.getKey().endsWith(" " + contract.name())).findFirst();
            if (entry.isEmpty()) {
                out.add(contract.name() + ": no workload");
                continue;
            }
            String workload = entry.get().getKey();
            PodTemplateSpec template = entry.get().getValue();
            Container container = template.getSpec().getContainers().get(0);
            Map<String, String> env = environment(container);
            for (String name : env.keySet()) {
                // a variable only there to be composed into another one's value, as Kubernetes' $(NAME) allows
                boolean composed = env.values().stream().anyMatch(value -> value != null && value.contains("$(" + name + ")"));
                if (!composed && !contract.reads(name)) {
                    out.add(workload + ": " + name + " is not a configuration key " + contract.name() + " reads");
                }
            }
            int port = env.containsKey("QUARKUS_HTTP_PORT") ? Integer.parseInt(env.get("QUARKUS_HTTP_PORT"))
                    : contract.httpPort();
            var http = container.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst();
            if (http.isEmpty() || http.get().getContainerPort() != port) {
                out.add(workload + ": container port http is " + http.map(p -> p.getContainerPort()).orElse(null)
                        + " but the service listens on " + port);
            }
            probe(out, workload, "startupProbe", container.getStartupProbe(), contract.healthPath("started"));
            probe(out, workload, "livenessProbe", container.getLivenessProbe(), contract.healthPath("live"));
            probe(out, workload, "readinessProbe", container.getReadinessProbe(), contract.healthPath("ready"));
            Map<String, String> annotations = Optional.ofNullable(template.getMetadata().getAnnotations()).orElse(Map.of());
            if (!contract.metricsPath().equals(annotations.get("prometheus.io/path"))) {
                out.add(workload + ": prometheus.io/path is " + annotations.get("prometheus.io/path") + " but metrics are at "
                        + contract.metricsPath());
            }
            if (!String.valueOf(port).equals(annotations.get("prometheus.io/port"))) {
                out.add(workload + ": prometheus.io/port is " + annotations.get("prometheus.io/port") + " but the service listens on "
                        + port);
            }
        }
        return out;
    }

    private static void probe(List<String> out, String workload, String which, Probe probe, String served) {
        HTTPGetAction get = probe == null ? null : probe.getHttpGet();
        if (get == null) {
            out.add(workload + ": no HTTP " + which);
            return;
        }
        if (!served.equals(get.getPath())) {
            out.add(workload + ": " + which + " path " + get.getPath() + " is not served (the service answers " + served + ")");
        }
        if (!"http".equals(get.getPort().getStrVal())) {
            out.add(workload + ": " + which + " port " + get.getPort() + " is not the named port http");
        }
    }

    /** KafkaUsers by name (Strimzi writes each one's credentials to a Secret of that name). */
    Map<String, JsonNode> kafkaUsers() {
        Map<String, JsonNode> users = new LinkedHashMap<>();
        for (JsonNode doc : docs) {
            if (doc.path("kind").asText().equals("KafkaUser")) {
                users.put(doc.path("metadata").path("name").asText(), doc);
            }
        }
        return users;
    }

    /**
     * Every service with a Kafka connection reaches the cluster as its own SCRAM user over TLS: SASL_SSL and
     * SCRAM-SHA-512 in its environment, the bootstrap port of a TLS + SCRAM listener of the Kafka resource, the JAAS
     * config from its KafkaUser's Secret, and a truststore file inside a mount of Strimzi's cluster CA Secret.
     */
    List<String> kafkaClients(List<ServiceContract> contracts) {
        List<String> out = new ArrayList<>();
        JsonNode kafka = docs.stream().filter(d -> d.path("kind").asText().equals("Kafka")).findFirst().orElse(null);
        if (kafka == null) {
            return List.of("no Kafka resource");
        }
        String caSecret = kafka.path("metadata").path("name").asText() + "-cluster-ca-cert";
        Set<String> scramTlsPorts = new java.util.TreeSet<>();
        for (JsonNode listener : kafka.path("spec").path("kafka").path("listeners")) {
            if (listener.path("tls").asBoolean() && listener.path("authentication").path("type").asText().equals("scram-sha-512")) {
                scramTlsPorts.add(listener.path("port").asText());
            } else {
                out.add("Kafka listener " + listener.path("name").asText() + " is not TLS with SCRAM-SHA-512");
            }
        }
        Map<String, PodTemplateSpec> templates = podTemplates();
        for (ServiceContract contract : contracts) {
            if (!contract.readsKafkaClientConfig()) {
                continue;
            }
            var entry = templates.entrySet().stream().filter(e -> e.getKey().endsWith(" " + contract.name())).findFirst();
            if (entry.isEmpty()) {
                continue;
            }
            String workload = entry.get().getKey();
            Container container = entry.get().getValue().getSpec().getContainers().get(0);
            Map<String, String> env = environment(container);
            if (!"SASL_SSL".equals(env.get("KAFKA_SECURITY_PROTOCOL"))) {
                out.add(workload + ": KAFKA_SECURITY_PROTOCOL is " + env.get("KAFKA_SECURITY_PROTOCOL") + ", not SASL_SSL");
            }
            if (!"SCRAM-SHA-512".equals(env.get("KAFKA_SASL_MECHANISM"))) {
                out.add(workload + ": KAFKA_SASL_MECHANISM is " + env.get("KAFKA_SASL_MECHANISM") + ", not SCRAM-SHA-512");
            }
            String bootstrap = String.valueOf(env.get("KAFKA_BOOTSTRAP_SERVERS"));
            if (!scramTlsPorts.contains(bootstrap.substring(bootstrap.lastIndexOf(':') + 1))) {
                out.add(workload + ": KAFKA_BOOTSTRAP_SERVERS " + bootstrap + " is not a TLS + SCRAM listener " + scramTlsPorts);
            }
            var jaas = Optional.ofNullable(container.getEnv()).orElse(List.of()).stream()
                    .filter(v -> v.getName().equals("KAFKA_SASL_JAAS_CONFIG")).findFirst()
                    .map(v -> v.getValueFrom() == null ? null : v.getValueFrom().getSecretKeyRef());
            if (jaas.isEmpty() || jaas.get() == null || !"sasl.jaas.config".equals(jaas.get().getKey())
                    || !kafkaUsers().containsKey(jaas.get().getName()) || !"scram-sha-512".equals(kafkaUsers()
                            .get(jaas.get().getName()).path("spec").path("authentication").path("type").asText())) {
                out.add(workload + ": KAFKA_SASL_JAAS_CONFIG does not come from the sasl.jaas.config key of a SCRAM KafkaUser's Secret");
            }
            String truststore = String.valueOf(env.get("KAFKA_SSL_TRUSTSTORE_LOCATION"));
            boolean trusted = Optional.ofNullable(container.getVolumeMounts()).orElse(List.of()).stream().anyMatch(mount ->
                    truststore.equals(mount.getMountPath() + "/ca.crt") && entry.get().getValue().getSpec().getVolumes().stream()
                            .anyMatch(v -> v.getName().equals(mount.getName()) && v.getSecret() != null
                                    && caSecret.equals(v.getSecret().getSecretName())));
            if (!trusted || !"PEM".equals(env.get("KAFKA_SSL_TRUSTSTORE_TYPE"))) {
                out.add(workload + ": KAFKA_SSL_TRUSTSTORE_LOCATION " + truststore + " is not the PEM ca.crt of a mount of " + caSecret);
            }
        }
        return out;
    }

    /** A container's environment: its env entries and every key of the ConfigMaps it takes whole. */
    Map<String, String> environment(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
            if (from.getConfigMapRef() != null) {
                named(ConfigMap.class, from.getConfigMapRef().getName()).ifPresent(cm -> env.putAll(cm.getData()));
            }
        }
        for (EnvVar var : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
            env.put(var.getName(), var.getValue() == null ? "(from " + var.getValueFrom() + ")" : var.getValue());
        }
        return env;
    }

    /** ConfigMaps and Secrets referenced by pods exist (the Secret is the documented out-of-band one). */
    List<String> references() {
        List<String> out = new ArrayList<>();
        podTemplates().forEach((workload, template) -> {
            for (Container c : containers(template)) {
                for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
                    if (from.getConfigMapRef() != null && named(ConfigMap.class, from.getConfigMapRef().getName()).isEmpty()) {
                        out.add(workload + ": ConfigMap " + from.getConfigMapRef().getName() + " is not defined");
                    }
                    if (from.getSecretRef() != null) {
                        out.add(workload + ": takes a whole Secret; reference keys one by one");
                    }
                }
                for (EnvVar var : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
                    var source = var.getValueFrom();
                    if (source != null && source.getSecretKeyRef() != null && !SECRET.equals(source.getSecretKeyRef().getName())
                            && !kafkaUsers().containsKey(source.getSecretKeyRef().getName())) {
                        out.add(workload + ": Secret " + source.getSecretKeyRef().getName() + " is neither " + SECRET
                                + " nor the Secret of a KafkaUser defined here");
                    }
                    if (source != null && source.getConfigMapKeyRef() != null) {
                        var ref = source.getConfigMapKeyRef();
                        if (named(ConfigMap.class, ref.getName()).map(cm -> !cm.getData().containsKey(ref.getKey())).orElse(true)) {
                            out.add(workload + ": ConfigMap key " + ref.getName() + "/" + ref.getKey() + " is not defined");
                        }
                    }
                }
            }
        });
        for (Service service : all(Service.class)) {
            Map<String, String> selector = service.getSpec().getSelector();
            var matched = podTemplates().values().stream()
                    .filter(t -> t.getMetadata() != null && t.getMetadata().getLabels() != null
                            && t.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
            if (matched.isEmpty()) {
                out.add("Service " + service.getMetadata().getName() + " selects no pods");
            }
            for (var port : service.getSpec().getPorts()) {
                String target = port.getTargetPort() == null ? null : port.getTargetPort().getStrVal();
                for (PodTemplateSpec t : matched) {
                    boolean found = containers(t).stream().flatMap(c -> Optional.ofNullable(c.getPorts()).orElse(List.of()).stream())
                            .anyMatch(p -> target == null ? p.getContainerPort().equals(port.getPort()) : target.equals(p.getName()));
                    if (!found) {
                        out.add("Service " + service.getMetadata().getName() + ": target port " + port.getTargetPort()
                                + " is not a container port of the pods it selects");
                    }
                }
            }
        }
        return out;
    }

    static List<Container> containers(PodTemplateSpec template) {
        List<Container> all = new ArrayList<>(template.getSpec().getContainers());
        all.addAll(Optional.ofNullable(template.getSpec().getInitContainers()).orElse(List.of()));
        return all;
    }

    /** Fields the model did not know land in additionalProperties: each one is a misspelt or misplaced field. */
    private static void unknownFields(String path, Object value, List<String> out) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                unknownFields(path + "[" + i++ + "]", item, out);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(path + "." + k, v, out));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method method : value.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || !method.getName().startsWith("get") || method.getName().equals("getClass")) {
                continue;
            }
            try {
                Object field = method.invoke(value);
                if (method.getName().equals("getAdditionalProperties")) {
                    if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        out.add(path + ": unknown field(s) " + extra.keySet());
                    }
                } else {
                    unknownFields(path + "." + decapitalize(method.getName().substring(3)), field, out);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static String decapitalize(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
