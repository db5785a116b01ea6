package io.meterline.cli.bench;

import io.meterline.cli.Stack;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time used by billing-service, the dev stack (Kafka, the Mongo-wire server, the Stripe stand-in) and the
 * benchmark's own JVM (the load generator) between two points: per operation it says what a design costs even on a
 * machine too busy for throughput figures to mean much.
 */
record Cpu(long billing, long devStack, long benchmark) {

    static Cpu start(Stack stack) {
        return new Cpu(stack.cpuTime("billing").toNanos(), stack.cpuTime("dev-stack").toNanos(), self());
    }

    /** The CPU used since {@code this} was taken. */
    Cpu stop(Stack stack) {
        Cpu now = start(stack);
        return new Cpu(now.billing - billing, now.devStack - devStack, now.benchmark - benchmark);
    }

    /** Milliseconds of CPU per operation, by process. */
    Map<String, Double> perOperation(long operations) {
        Map<String, Double> perOp = new LinkedHashMap<>();
        perOp.put("billing", ms(billing, operations));
        perOp.put("dev_stack", ms(devStack, operations));
        perOp.put("load_generator", ms(benchmark, operations));
        return perOp;
    }

    private static double ms(long nanos, long operations) {
        return operations == 0 ? 0 : Math.round(nanos / 1e3 / operations) / 1000.0;
    }

    private static long self() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }
}
