package io.meterline.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A producer process for {@link ClientCrashIT}: {@code record N} records N events and then idles (to be killed);
 * {@code drain} opens the client on the same spool, waits until everything is answered and exits.
 */
public final class SpoolingProducer {

    private SpoolingProducer() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        MeterlineClient client = MeterlineClient.builder().endpoint(URI.create(args[1])).token(args[2])
                .source(args[3]).spoolDirectory(Path.of(args[4])).initialBackoff(Duration.ofMillis(100))
                .maxBackoff(Duration.ofSeconds(1)).build();
        if (mode.equals("record")) {
            int count = Integer.parseInt(args[5]);
            Instant time = Instant.now().minusSeconds(60);
            for (int n = 0; n < count; n++) {
                client.record(MeterlineEvent.builder().id("crash-" + n).type("api.call").subject("cust-" + (n % 5))
                        .time(time).put("units", 1).build());
            }
            System.out.println("RECORDED " + count + " queued=" + client.metrics().queued());
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(10).toMillis());
        } else {
            boolean drained = client.flush(Duration.ofMinutes(3));
            System.out.println("DRAINED " + drained + " sent=" + client.metrics().sent());
            System.out.flush();
            client.close();
            System.exit(drained ? 0 : 1);
        }
    }
}
