package io.meterline.devstack.testing;

import io.meterline.devstack.FreePorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packaged Meterline service ({@code <module>/target/quarkus-app/quarkus-run.jar}) as a child process of a test,
 * on a free port kept across restarts, verifying tokens of {@link SharedInfrastructure#jwt()}. Used where a test
 * needs a service of another module (the real ingest API in front of billing, the client against ingest) or must
 * {@code kill -9} one.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Path jar;
    private final Map<String, String> config;
    private final Path logDir;
    private final int port = FreePorts.find();
    private Process process;
    private int starts;

    /**
     * @param name   a name for logs
     * @param jar    the service's {@code quarkus-run.jar}
     * @param config system properties (Quarkus and service config keys)
     * @param logDir where each start's console output goes ({@code <name>-<n>.log})
     */
    public ServiceProcess(String name, Path jar, Map<String, String> config, Path logDir) {
        this.name = name;
        this.jar = jar;
        this.config = new LinkedHashMap<>(config);
        this.logDir = logDir;
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: package that module first "
                    + "(./mvnw -DskipTests install, or run the reactor build)");
        }
    }

    /** The packaged service of a sibling module, found from the current module's directory. */
    public static Path siblingJar(String module) {
        return Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar");
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public int port() {
        return port;
    }

    /** Starts the process and returns once {@code /q/health/ready} answers 200 (at most two minutes). */
    public void start() {
        launch();
        awaitReady();
    }

    /** Starts the process without waiting for readiness (for a service that is expected never to become ready). */
    public void launch() {
        Map<String, String> effective = new LinkedHashMap<>(config);
        effective.put("quarkus.http.port", String.valueOf(port));
        try {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m", "-XX:+UseParallelGC"));
            effective.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.addAll(List.of("-jar", jar.toString()));
            Path log = logDir.resolve(name + "-" + (++starts) + ".log");
            Files.createDirectories(logDir);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("MP_JWT_VERIFY_PUBLICKEY", SharedInfrastructure.jwt().publicKeyPem());
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(uri("/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + logDir);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                process.waitFor(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(name + " was not ready within two minutes; see " + logDir);
    }

    /** {@code kill -9}: no shutdown hook, no graceful close. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitForExit();
        }
    }

    /** A graceful stop (SIGTERM), forced after 30 s. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitForExit();
        }
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
