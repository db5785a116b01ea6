package io.meterline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization: with {@code kubectl kustomize} when kubectl is on the PATH, otherwise with a small Java
 * renderer of the subset the overlays use (resources, namespace, JSON 6902 patches with a kind/name target).
 * Both must give the same documents; {@code ManifestsTests} checks that whenever kubectl is present.
 */
final class Kustomize {

    static final ObjectMapper YAML = new YAMLMapper();

    private Kustomize() {
    }

    static List<JsonNode> render(Path dir) {
        return kubectl().isPresent() ? renderWithKubectl(dir) : renderInJava(dir);
    }

    static java.util.Optional<Path> kubectl() {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(entry, "kubectl");
            if (Files.isExecutable(candidate)) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }

    static List<JsonNode> renderWithKubectl(Path dir) {
        try {
            Process process = new ProcessBuilder(kubectl().orElseThrow().toString(), "kustomize", dir.toString())
                    .redirectErrorStream(false).start();
            byte[] out = process.getInputStream().readAllBytes();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + err);
            }
            return parseAll(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<JsonNode> parseAll(String yaml) {
        try (var parser = new YAMLFactory().createParser(yaml)) {
            List<JsonNode> docs = new ArrayList<>();
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> renderInJava(Path dir) {
        try {
            JsonNode kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
            List<JsonNode> docs = new ArrayList<>();
            for (JsonNode resource : kustomization.path("resources")) {
                Path path = dir.resolve(resource.asText()).normalize();
                if (Files.isDirectory(path)) {
                    docs.addAll(renderInJava(path));
                } else {
                    docs.addAll(parseAll(Files.readString(path)));
                }
            }
            for (JsonNode patch : kustomization.path("patches")) {
                JsonNode ops = YAML.readTree(dir.resolve(patch.path("path").asText()).toFile());
                if (!ops.isArray()) {
                    throw new IllegalArgumentException("only JSON 6902 patches are supported here: " + patch);
                }
                JsonNode target = patch.path("target");
                for (JsonNode doc : docs) {
                    if (matches(doc, target)) {
                        ops.forEach(op -> apply((ObjectNode) doc, op));
                    }
                }
            }
            String namespace = kustomization.path("namespace").asText("");
            if (!namespace.isEmpty()) {
                for (JsonNode doc : docs) {
                    if (!doc.path("kind").asText().equals("Namespace")) {
                        ((ObjectNode) doc.path("metadata")).put("namespace", namespace);
                    }
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean matches(JsonNode doc, JsonNode target) {
        return (!target.has("kind") || target.path("kind").asText().equals(doc.path("kind").asText()))
                && (!target.has("name") || target.path("name").asText().equals(doc.path("metadata").path("name").asText()));
    }

    /** JSON Patch (RFC 6902) add, replace and remove. */
    private static void apply(ObjectNode doc, JsonNode op) {
        String[] tokens = op.path("path").asText().substring(1).split("/");
        JsonNode parent = doc;
        for (int i = 0; i < tokens.length - 1; i++) {
            parent = parent.isArray() ? parent.path(Integer.parseInt(tokens[i])) : parent.path(unescape(tokens[i]));
            if (parent.isMissingNode()) {
                throw new IllegalArgumentException("path not in document: " + op);
            }
        }
        String last = unescape(tokens[tokens.length - 1]);
        String kind = op.path("op").asText();
        if (parent instanceof ArrayNode array) {
            int index = last.equals("-") ? array.size() : Integer.parseInt(last);
            switch (kind) {
                case "add" -> array.insert(index, op.path("value"));
                case "replace" -> requireIndex(array, index, op).set(index, op.path("value"));
                case "remove" -> requireIndex(array, index, op).remove(index);
                default -> throw new IllegalArgumentException("unsupported op " + op);
            }
        } else if (parent instanceof ObjectNode object) {
            if (!kind.equals("add") && !object.has(last)) {
                throw new IllegalArgumentException("path not in document: " + op);
            }
            switch (kind) {
                case "add", "replace" -> object.set(last, op.path("value"));
                case "remove" -> object.remove(last);
                default -> throw new IllegalArgumentException("unsupported op " + op);
            }
        } else {
            throw new IllegalArgumentException("path not in document: " + op);
        }
    }

    private static ArrayNode requireIndex(ArrayNode array, int index, JsonNode op) {
        if (index >= array.size()) {
            throw new IllegalArgumentException("path not in document: " + op);
        }
        return array;
    }

    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }
}
