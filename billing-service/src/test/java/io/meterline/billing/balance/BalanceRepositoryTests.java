package io.meterline.billing.balance;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.meterline.billing.config.MongoCollections;
import io.meterline.devstack.MongoWireServer;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.pojo.PojoCodecProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batched compare-and-set of decision 0116 against the embedded Mongo-wire server: one bulk write answers each
 * replace on its own, a lost one writes nothing, and batched reads and history copies find and skip what exists.
 */
class BalanceRepositoryTests {

    private static MongoWireServer server;
    private static MongoClient client;
    private static BalanceRepository repository;

    @BeforeAll
    static void start() {
        server = MongoWireServer.start(0, null);
        client = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(server.connectionString()))
                .codecRegistry(CodecRegistries.fromRegistries(MongoClientSettings.getDefaultCodecRegistry(),
                        CodecRegistries.fromProviders(PojoCodecProvider.builder().automatic(true).build())))
                .build());
        repository = new BalanceRepository(new MongoCollections(client, "balances-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void aBatchOfReplacesAnswersEachCompareAndSetOnItsOwn() {
        List<BalanceDocument> stored = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            BalanceDocument document = balance("batch-" + i, 100);
            assertThat(repository.insert(document)).isTrue();
            stored.add(document);
        }
        // another writer moves balances 1 and 4 on first
        for (int i : new int[] {1, 4}) {
            BalanceDocument theirs = repository.find(stored.get(i).id);
            theirs.balance = 7;
            theirs.version = 1;
            assertThat(repository.replace(theirs, 0)).isTrue();
        }

        List<BalanceDocument> next = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        for (BalanceDocument document : stored) {
            BalanceDocument mine = document.copy();
            mine.balance = 50;
            mine.version = 1;
            next.add(mine);
            expected.add(0L);
        }
        List<Boolean> applied = repository.replaceAll(next, expected);

        assertThat(applied).containsExactly(true, false, true, true, false, true);
        for (int i = 0; i < stored.size(); i++) {
            BalanceDocument now = repository.find(stored.get(i).id);
            assertThat(now.balance).as("balance %d", i).isEqualTo(applied.get(i) ? 50 : 7);
            assertThat(now.version).isEqualTo(1);
        }
        assertThat(repository.all().stream().filter(d -> d.id.startsWith("batch-"))).hasSize(6);
    }

    @Test
    void batchedReadsFindEveryStoredBalanceAndNoOther() {
        repository.insert(balance("read-a", 1));
        repository.insert(balance("read-b", 2));

        var found = repository.findAll(List.of("read-a", "read-b", "read-none"));

        assertThat(found).containsOnlyKeys("read-a", "read-b");
        assertThat(found.get("read-b").balance).isEqualTo(2);
    }

    @Test
    void aBatchedHistoryCopySkipsMovementsAlreadyCopied() {
        MovementDocument first = movement("copy|api:1");
        repository.appendAll(List.of(first));

        repository.appendAll(List.of(movement("copy|api:0"), first, movement("copy|api:2")));

        assertThat(repository.history("copy")).extracting(m -> m.id)
                .containsExactlyInAnyOrder("copy|api:0", "copy|api:1", "copy|api:2");
    }

    private static BalanceDocument balance(String id, long amount) {
        BalanceDocument document = new BalanceDocument();
        document.id = id;
        document.customer = id;
        document.currency = "usd";
        document.balance = amount;
        document.keyFilter = KeyFilter.empty();
        return document;
    }

    private static MovementDocument movement(String id) {
        MovementDocument movement = new MovementDocument();
        movement.id = id;
        movement.account = "copy";
        movement.key = id.substring(id.indexOf('|') + 1);
        movement.kind = "credit";
        movement.amount = 1;
        movement.fingerprint = "f";
        return movement;
    }
}
