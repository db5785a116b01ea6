package io.meterline.cli;

import io.meterline.cli.chaos.Chaos;
import io.meterline.cli.chaos.ChaosArgs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/** Entry point of {@code ./meterline}: {@code up}, {@code demo}, {@code bench NAME [--json]}, {@code chaos}, {@code token}. */
public final class Meterline {

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("meterline.home", ".")).toAbsolutePath().normalize();
        CliArgs cli;
        try {
            cli = CliArgs.parse(List.of(args), System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("meterline: " + e.getMessage());
            System.exit(2);
            return;
        }
        Ports.offset(cli.portOffset());
        String command = cli.command();
        List<String> rest = new ArrayList<>(cli.rest());
        switch (command) {
            case "up" -> up(home);
            case "demo" -> {
                int rc = new Demo(home).run();
                System.exit(rc);
            }
            case "bench" -> System.exit(bench(home, rest));
            case "chaos" -> System.exit(chaos(home, rest));
            default -> {
                System.out.println("""
                        usage: ./meterline up            start Kafka, Mongo, the Stripe stand-in and the three services
                               ./meterline demo          run a realistic workload end to end and show what happened
                               ./meterline bench NAME [--json]   run a benchmark (ingest, aggregate, report, webhook, periods, reconcile, balances, client)
                               ./meterline chaos [--seed N] [--quick] [--json]   fault scenarios, invariants checked after each
                        every command takes --port-offset N (or METERLINE_PORT_OFFSET=N): all local ports + N,
                        so that two stacks run side by side""");
                System.exit(command.equals("help") ? 0 : 2);
            }
        }
    }

    private static void up(Path home) throws Exception {
        try (Stack stack = Stack.startAll(home)) {
            System.out.println("Meterline is up (Ctrl-C stops everything):");
            System.out.println("  ingest   " + stack.ingestUrl() + "   POST /v1/events");
            System.out.println("  billing  " + stack.billingUrl());
            System.out.println("  webhook  " + stack.webhookUrl() + "   POST /webhooks/stripe");
            System.out.println("  kafka    " + stack.kafkaBootstrap());
            System.out.println("  mongo    " + stack.mongoConnectionString());
            System.out.println("  stripe   " + stack.stripeApiBase() + "   (stand-in)");
            System.out.println("  logs     " + stack.stateDir().resolve("logs"));
            System.out.println();
            System.out.println("Token for local producers (roles usage:write, usage:read, admin; valid 24 h):");
            System.out.println(stack.operatorToken());
            System.out.println();
            System.out.println("Try: curl -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' "
                    + stack.ingestUrl() + "/v1/events -d '{\"id\":\"e1\",\"source\":\"cli\",\"type\":\"api.call\","
                    + "\"subject\":\"acme\",\"time\":\"" + java.time.Instant.now() + "\",\"data\":{}}'");
            new CountDownLatch(1).await();
        }
    }

    private static int bench(Path home, List<String> args) throws Exception {
        if (args.isEmpty()) {
            System.err.println("usage: ./meterline bench NAME [--json]");
            return 2;
        }
        String name = args.get(0);
        boolean json = args.contains("--json");
        List<String> benchArgs = new ArrayList<>(args.subList(1, args.size()));
        benchArgs.remove("--json");
        String className = "io.meterline.cli.bench." + Character.toUpperCase(name.charAt(0)) + name.substring(1)
                + "Benchmark";
        Benchmark benchmark;
        try {
            benchmark = (Benchmark) Class.forName(className).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            System.err.println("no benchmark named '" + name + "'");
            return 2;
        }
        Double loadAvgStart = BenchmarkReport.loadAverage(Path.of("/proc/loadavg"));
        Map<String, Object> result = BenchmarkReport.withMachine(name, benchmark.run(home, benchArgs), loadAvgStart,
                Runtime.getRuntime().availableProcessors());
        if (!json) {
            result.forEach((k, v) -> System.out.printf("%-28s %s%n", k, v));
        }
        System.out.println(BenchmarkReport.line(result));
        return 0;
    }

    private static int chaos(Path home, List<String> args) {
        ChaosArgs options;
        try {
            options = ChaosArgs.parse(args, ThreadLocalRandom.current().nextLong(1_000_000_000L));
        } catch (IllegalArgumentException e) {
            System.err.println("meterline chaos: " + e.getMessage());
            return 2;
        }
        return new Chaos(home, options).run();
    }

    static Set<String> roles(String... roles) {
        return Set.of(roles);
    }
}
