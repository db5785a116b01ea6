package io.meterline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both overlays render, every core document binds to the Kubernetes model, and the manifests agree with what the
 * services serve and read. A planted wrong port or renamed key is reported, so the checks have teeth.
 */
class ManifestsTests {

    static final Path DEPLOY = Path.of(System.getProperty("deploy.dir", "."));
    static final List<ServiceContract> CONTRACTS = List.of(ServiceContract.ingest(), ServiceContract.billing(),
            ServiceContract.webhook());

    private static final Map<String, List<JsonNode>> RENDERED = new java.util.concurrent.ConcurrentHashMap<>();

    /** A fresh copy of the rendered overlay (rendered once per run; tests may change their copy). */
    static List<JsonNode> render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, o -> Kustomize.render(DEPLOY.resolve("overlays").resolve(o)))
                .stream().<JsonNode>map(JsonNode::deepCopy).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void everyDocumentOfTheOverlayBindsToItsKubernetesModel(String overlay) {
        ManifestChecks checks = new ManifestChecks(render(overlay));
        assertThat(checks.schema()).isEmpty();
        assertThat(checks.typed()).extracting(r -> r.getKind()).contains("StatefulSet", "Deployment", "NetworkPolicy",
                "ServiceAccount", "ConfigMap", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Job", "Ingress");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void probesPortsMetricPathsAndConfigKeysMatchWhatTheServicesServeAndRead(String overlay) {
        assertThat(new ManifestChecks(render(overlay)).serviceContracts(CONTRACTS)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void podsRunAsNonRootOnReadOnlyRootsWithoutCapabilitiesOrApiTokens(String overlay) {
        assertThat(new ManifestChecks(render(overlay)).hardening()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void everyContainerHasCpuAndMemoryRequestsAndLimits(String overlay) {
        assertThat(new ManifestChecks(render(overlay)).resources()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void referencedConfigMapsExistAndServicesTargetNamedContainerPorts(String overlay) {
        assertThat(new ManifestChecks(render(overlay)).references()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void billingKeepsStreamsStateOnAPersistentVolumeWithAStandbyReplica(String overlay) {
        ManifestChecks checks = new ManifestChecks(render(overlay));
        assertThat(checks.all(Deployment.class)).noneMatch(d -> d.getMetadata().getName().equals("billing-service"));
        StatefulSet billing = checks.named(StatefulSet.class, "billing-service").orElseThrow();
        var container = billing.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = checks.environment(container);
        assertThat(Integer.parseInt(env.get("KAFKA_STREAMS_NUM_STANDBY_REPLICAS"))).isGreaterThanOrEqualTo(1);
        String claim = billing.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
        assertThat(container.getVolumeMounts()).anyMatch(m -> m.getName().equals(claim)
                && m.getMountPath().equals(env.get("KAFKA_STREAMS_STATE_DIR")));
        // the keys are ones billing reads (kafka-streams.* pass-through needs the key in application.properties)
        assertThat(ServiceContract.billing().value("kafka-streams.state.dir")).isPresent();
        assertThat(ServiceContract.billing().value("kafka-streams.num.standby.replicas")).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void everyKafkaClientConnectsAsItsOwnScramUserOverTls(String overlay) {
        assertThat(new ManifestChecks(render(overlay)).kafkaClients(CONTRACTS)).isEmpty();
    }

    @Test
    void eachKafkaUserIsAllowedOnlyWhatItsServiceReadsAndWrites() {
        Map<String, JsonNode> users = new ManifestChecks(render("production")).kafkaUsers();
        assertThat(users).containsOnlyKeys("ingest-service", "billing-service");
        assertThat(acls(users.get("ingest-service"))).containsExactly("topic usage-events literal [Write, Describe]");
        List<String> billing = acls(users.get("billing-service"));
        // no cluster-wide, wildcard or All grants; every topic is one billing uses or the Streams application's own
        assertThat(billing).noneMatch(acl -> acl.startsWith("cluster") || acl.contains(" * ") || acl.contains("All"));
        String streams = ServiceContract.billing().value("quarkus.kafka-streams.application-id").orElseThrow();
        assertThat(billing).filteredOn(acl -> acl.startsWith("topic ")).extracting(acl -> acl.split(" ")[1])
                .containsExactlyInAnyOrder(streams + "-", io.meterline.model.Topics.USAGE_EVENTS,
                        io.meterline.model.Topics.USAGE_EVENTS_DLQ, io.meterline.model.Topics.USAGE_PERIODS,
                        io.meterline.model.Topics.BILLING_NOTIFICATIONS);
        assertThat(billing).contains("group " + streams + " prefix [Read, Describe]",
                "transactionalId " + streams + "- prefix [Write, Describe]");
    }

    private static List<String> acls(JsonNode user) {
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
            JsonNode resource = acl.path("resource");
            List<String> operations = new java.util.ArrayList<>();
            acl.path("operations").forEach(o -> operations.add(o.asText()));
            out.add(resource.path("type").asText() + " " + resource.path("name").asText("*") + " "
                    + resource.path("patternType").asText("literal") + " " + operations);
        }
        return out;
    }

    @Test
    void aKafkaClientWithoutItsUsersCredentialsIsReported() {
        List<JsonNode> docs = render("production");
        var env = (com.fasterxml.jackson.databind.node.ArrayNode) workload(docs, "billing-service").at("/spec/template/spec/containers/0/env");
        for (JsonNode var : env) {
            if (var.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
                ((ObjectNode) var.at("/valueFrom/secretKeyRef")).put("name", "meterline-secrets");
            }
        }
        assertThat(new ManifestChecks(docs).kafkaClients(CONTRACTS)).anyMatch(p -> p.contains("billing-service: KAFKA_SASL_JAAS_CONFIG"));
    }

    @Test
    void localOverlayRunsOneReplicaOfEachWorkload() {
        ManifestChecks checks = new ManifestChecks(render("local"));
        assertThat(checks.all(Deployment.class)).allSatisfy(d -> assertThat(d.getSpec().getReplicas()).isEqualTo(1));
        assertThat(checks.all(StatefulSet.class)).allSatisfy(s -> assertThat(s.getSpec().getReplicas()).isEqualTo(1));
        ManifestChecks production = new ManifestChecks(render("production"));
        assertThat(production.named(StatefulSet.class, "billing-service").orElseThrow().getSpec().getReplicas()).isGreaterThan(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void networkPoliciesDenyByDefaultAndOpenOnlyIngestToTheOutside(String overlay) {
        ManifestChecks checks = new ManifestChecks(render(overlay));
        List<NetworkPolicy> policies = checks.all(NetworkPolicy.class);
        assertThat(policies).as("a default deny").anyMatch(p -> (p.getSpec().getPodSelector().getMatchLabels() == null
                || p.getSpec().getPodSelector().getMatchLabels().isEmpty())
                && (p.getSpec().getIngress() == null || p.getSpec().getIngress().isEmpty()));
        for (String app : List.of("ingest-service", "billing-service", "webhook-service", "mongodb")) {
            List<NetworkPolicy> selecting = policies.stream().filter(p -> app.equals(
                    p.getSpec().getPodSelector().getMatchLabels() == null ? null : p.getSpec().getPodSelector().getMatchLabels().get("app")))
                    .toList();
            assertThat(selecting).as(app).isNotEmpty();
            boolean openToAll = selecting.stream().flatMap(p -> p.getSpec().getIngress().stream())
                    .anyMatch(rule -> rule.getFrom() == null || rule.getFrom().isEmpty());
            assertThat(openToAll).as(app + " reachable from anywhere").isEqualTo(app.equals("ingest-service"));
        }
        NetworkPolicy mongo = policies.stream().filter(p -> p.getMetadata().getName().equals("mongodb-from-services")).findFirst().orElseThrow();
        assertThat(mongo.getSpec().getIngress().get(0).getFrom()).extracting(NetworkPolicyPeer::getNamespaceSelector).containsOnlyNulls();
    }

    @Test
    void aWrongContainerPortIsReported() {
        List<JsonNode> docs = render("production");
        ObjectNode port = (ObjectNode) workload(docs, "ingest-service").at("/spec/template/spec/containers/0/ports/0");
        port.put("containerPort", 8081);
        assertThat(new ManifestChecks(docs).serviceContracts(CONTRACTS))
                .anyMatch(p -> p.contains("ingest-service: container port http is 8081"));
    }

    @Test
    void aRenamedConfigKeyIsReported() {
        List<JsonNode> docs = render("production");
        ObjectNode env = (ObjectNode) workload(docs, "billing-service").at("/spec/template/spec/containers/0/env/1");
        env.put("name", "BILLING_STRIPE_SECRET_KEY");
        assertThat(new ManifestChecks(docs).serviceContracts(CONTRACTS))
                .anyMatch(p -> p.contains("BILLING_STRIPE_SECRET_KEY is not a configuration key billing-service reads"));
    }

    @Test
    void aProbeOnAPathTheServiceDoesNotServeIsReported() {
        List<JsonNode> docs = render("local");
        ((ObjectNode) workload(docs, "webhook-service").at("/spec/template/spec/containers/0/readinessProbe/httpGet"))
                .put("path", "/health/ready");
        assertThat(new ManifestChecks(docs).serviceContracts(CONTRACTS))
                .anyMatch(p -> p.contains("readinessProbe path /health/ready is not served"));
    }

    @Test
    void aMisplacedFieldFailsSchemaValidation() {
        List<JsonNode> docs = render("local");
        ((ObjectNode) workload(docs, "ingest-service").at("/spec/template/spec")).putObject("securityContex");
        assertThat(new ManifestChecks(docs).schema()).anyMatch(p -> p.contains("unknown field(s) [securityContex]"));
    }

    @Test
    void javaRendererGivesWhatKubectlGives() {
        for (String overlay : List.of("local", "production")) {
            List<JsonNode> java = sorted(Kustomize.renderInJava(DEPLOY.resolve("overlays").resolve(overlay)));
            assertThat(new ManifestChecks(java).schema()).isEmpty();
            if (Kustomize.kubectl().isPresent()) {
                assertThat(java).isEqualTo(sorted(Kustomize.renderWithKubectl(DEPLOY.resolve("overlays").resolve(overlay))));
            }
        }
    }

    @Test
    void configMapsGiveEachServiceOnlyWhatItReads() {
        ManifestChecks checks = new ManifestChecks(render("production"));
        assertThat(checks.all(ConfigMap.class)).extracting(c -> c.getMetadata().getName())
                .contains("meterline-jwt", "meterline-kafka", "meterline-mongodb");
    }

    private static JsonNode workload(List<JsonNode> docs, String name) {
        return docs.stream().filter(d -> List.of("Deployment", "StatefulSet").contains(d.path("kind").asText())
                && d.path("metadata").path("name").asText().equals(name)).findFirst().orElseThrow();
    }

    private static List<JsonNode> sorted(List<JsonNode> docs) {
        return docs.stream().sorted(Comparator.comparing((JsonNode d) -> d.path("kind").asText())
                .thenComparing(d -> d.path("metadata").path("name").asText())).toList();
    }
}
