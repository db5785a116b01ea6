package io.meterline.cli;

import java.util.Map;

/**
 * The local ports of a stack: the fixed defaults plus one offset ({@code --port-offset N} or
 * {@code METERLINE_PORT_OFFSET}), so that two stacks can run side by side on one machine.
 */
public final class Ports {

    public static final int KAFKA = 9092;
    public static final int MONGO = 27018;
    public static final int STRIPE = 12111;
    /** Services by name, with their default local ports. */
    public static final Map<String, Integer> SERVICES = Map.of("ingest", 8081, "billing", 8082, "webhook", 8083);
    /** Keeps every shifted port below 65536 with room to spare. */
    public static final int MAX_OFFSET = 30000;

    private static volatile int offset;

    private Ports() {
    }

    /** Set once, from the command line, before any stack starts. */
    static void offset(int value) {
        if (value < 0 || value > MAX_OFFSET) {
            throw new IllegalArgumentException("port offset must be between 0 and " + MAX_OFFSET + ": " + value);
        }
        offset = value;
    }

    public static int offset() {
        return offset;
    }

    public static int kafka() {
        return KAFKA + offset;
    }

    public static int mongo() {
        return MONGO + offset;
    }

    public static int stripe() {
        return STRIPE + offset;
    }

    public static int service(String name) {
        Integer port = SERVICES.get(name);
        if (port == null) {
            throw new IllegalArgumentException("no service named " + name);
        }
        return port + offset;
    }
}
