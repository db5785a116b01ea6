package io.meterline.ingest.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.ingest.domain.EventOutcome;
import io.meterline.ingest.domain.EventStatus;
import io.meterline.model.Violation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class IngestResponseJsonTests {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void answersAreByteForByteWhatTheMapperWritesForTheResponse() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 3_000; round++) {
            List<EventOutcome> outcomes = new ArrayList<>();
            for (int i = random.nextInt(40); i > 0; i--) {
                EventStatus status = EventStatus.values()[random.nextInt(3)];
                List<Violation> errors = status == EventStatus.REJECTED && random.nextInt(4) > 0
                        ? List.of(new Violation(text(random), "invalid", text(random))) : List.of();
                outcomes.add(new EventOutcome(random.nextInt(1000), text(random), text(random), status, null, errors));
            }
            assertThat(IngestResponseJson.bytes(outcomes, mapper))
                    .as("outcomes %s", outcomes)
                    .isEqualTo(mapper.writeValueAsBytes(IngestResponse.toApi(outcomes)));
        }
    }

    @Test
    void aBatchOfAcceptedEventsAnswersWithCountsAndOneResultEach() throws Exception {
        List<EventOutcome> outcomes = List.of(
                new EventOutcome(0, "e-1", "api", EventStatus.ACCEPTED, null, List.of()),
                new EventOutcome(1, "e-1", "api", EventStatus.DUPLICATE_IN_BATCH, null, List.of()));
        assertThat(new String(IngestResponseJson.bytes(outcomes, mapper), "UTF-8")).isEqualTo("{\"accepted\":1,"
                + "\"duplicates\":1,\"rejected\":0,\"results\":[{\"index\":0,\"id\":\"e-1\",\"source\":\"api\","
                + "\"status\":\"accepted\"},{\"index\":1,\"id\":\"e-1\",\"source\":\"api\",\"status\":\"duplicate_in_batch\"}]}");
    }

    /** Null, empty, plain, or with characters that need escaping or are not ASCII. */
    private static String text(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> null;
            case 1 -> "";
            case 2 -> "a\"b\\c\u0001é😀/" + random.nextInt(10);
            default -> "evt-" + random.nextInt(100_000) + " ~!#$%&'()*+,-./:;<=>?@[]^_`{|}";
        };
    }
}
