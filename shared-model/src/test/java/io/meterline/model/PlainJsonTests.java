package io.meterline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PlainJsonTests {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    void compactDataIsWhatToStringWritesOrNothing() {
        Random random = new Random(5);
        int written = 0;
        for (int i = 0; i < 20_000; i++) {
            JsonNode tree = value(random, 0);
            String compact = PlainJson.compact(tree);
            if (compact != null) {
                written++;
                assertThat(compact).isEqualTo(tree.toString());
            }
        }
        assertThat(written).as("trees written without Jackson's writer").isGreaterThan(2_000);
    }

    @Test
    void parsedDataIsWrittenAsToStringWritesIt() {
        for (String json : new String[]{"{}", "{\"units\":3,\"region\":\"eu-west-1\",\"endpoint\":\"/v1/search\",\"status\":200}",
                "{\"a\":[],\"b\":{},\"c\":[1,-2,9223372036854775807,-2147483649,true,false,null,\"x\"],\"d\":{\"e\":{\"f\":[[]]}}}",
                "{\"n\":1.50}", "{\"n\":1e3}", "{\"t\":\"a\\u0001\"}", "{\"é\":1}", "{\"n\":123456789012345678901234567890}"}) {
            JsonNode tree = UsageEventJson.parseTree(json.getBytes(StandardCharsets.UTF_8));
            String compact = PlainJson.compact(tree);
            assertThat(compact == null ? tree.toString() : compact).as(json).isEqualTo(tree.toString());
        }
        assertThat(PlainJson.compact(UsageEventJson.parseTree("{\"units\":3,\"ok\":true,\"l\":[\"a b\"]}"
                .getBytes(StandardCharsets.UTF_8)))).isEqualTo("{\"units\":3,\"ok\":true,\"l\":[\"a b\"]}");
    }

    @Test
    void onlyPrintableAsciiWithoutQuoteOrBackslashIsPlain() {
        for (char c = 0; c < 0x100; c++) {
            assertThat(PlainJson.plain(String.valueOf(c))).as("U+%04X", (int) c)
                    .isEqualTo(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\');
        }
    }

    private static JsonNode value(Random random, int depth) {
        return switch (random.nextInt(depth > 3 ? 8 : 10)) {
            case 0 -> NODES.textNode(text(random));
            case 1 -> NODES.numberNode(random.nextInt());
            case 2 -> NODES.numberNode(random.nextLong());
            case 3 -> random.nextInt(4) == 0 ? NODES.numberNode(new BigDecimal(random.nextInt(100_000)).movePointLeft(2))
                    : NODES.numberNode(BigInteger.valueOf(random.nextLong()).shiftLeft(random.nextInt(3)));
            case 4 -> NODES.booleanNode(random.nextBoolean());
            case 5 -> NODES.nullNode();
            case 6 -> random.nextInt(8) == 0 ? NODES.numberNode(random.nextDouble()) : NODES.textNode("plain-" + random.nextInt(99));
            case 7 -> NODES.numberNode((short) random.nextInt(100));
            case 8 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(value(random, depth + 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    object.set(random.nextInt(5) == 0 ? text(random) : "k" + i, value(random, depth + 1));
                }
                yield object;
            }
        };
    }

    private static String text(Random random) {
        StringBuilder text = new StringBuilder();
        for (int c = random.nextInt(8); c > 0; c--) {
            text.append(random.nextInt(6) == 0 ? (char) random.nextInt(0x3000) : (char) (0x20 + random.nextInt(0x5F)));
        }
        return text.toString();
    }
}
