package io.meterline.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command line of {@code ./meterline}: a command, its arguments, and the options every command takes
 * ({@code --port-offset N}, default {@code METERLINE_PORT_OFFSET} or 0). Bad input is an
 * {@link IllegalArgumentException} whose message is shown to the user.
 */
public record CliArgs(String command, List<String> rest, int portOffset) {

    public static final String PORT_OFFSET = "--port-offset";
    public static final String PORT_OFFSET_ENV = "METERLINE_PORT_OFFSET";

    public static CliArgs parse(List<String> args, Map<String, String> env) {
        List<String> remaining = new ArrayList<>();
        String offset = env.get(PORT_OFFSET_ENV);
        String offsetSource = PORT_OFFSET_ENV;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals(PORT_OFFSET)) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(PORT_OFFSET + " needs a number");
                }
                offset = args.get(++i);
                offsetSource = PORT_OFFSET;
            } else if (arg.startsWith(PORT_OFFSET + "=")) {
                offset = arg.substring(PORT_OFFSET.length() + 1);
                offsetSource = PORT_OFFSET;
            } else {
                remaining.add(arg);
            }
        }
        String command = remaining.isEmpty() ? "help" : remaining.remove(0);
        return new CliArgs(command, List.copyOf(remaining), portOffset(offset, offsetSource));
    }

    private static int portOffset(String value, String source) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        int offset;
        try {
            offset = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + " must be a whole number: " + value);
        }
        if (offset < 0 || offset > Ports.MAX_OFFSET) {
            throw new IllegalArgumentException(source + " must be between 0 and " + Ports.MAX_OFFSET + ": " + value);
        }
        return offset;
    }
}
