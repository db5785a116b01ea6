package io.meterline.devstack;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MongoWireServerTests {

    @Test
    void aStoppedServerRefusesClientsAndAfterARestartServesTheSameDataOnTheSamePort() {
        try (MongoWireServer server = MongoWireServer.start(0, null);
             MongoClient client = MongoClients.create(MongoClientSettings.builder()
                     .applyConnectionString(new ConnectionString(server.connectionString()))
                     .applyToClusterSettings(c -> c.serverSelectionTimeout(5, TimeUnit.SECONDS))
                     .applyToSocketSettings(s -> s.connectTimeout(5, TimeUnit.SECONDS)).build())) {
            int port = server.port();
            MongoCollection<Document> windows = client.getDatabase("meterline").getCollection("windows");
            windows.insertOne(new Document("_id", "w1").append("value", 42));

            server.stop();
            assertThat(server.running()).isFalse();
            assertThatThrownBy(() -> windows.find(new Document("_id", "w1")).first()).isInstanceOf(MongoException.class);

            server.restart();
            assertThat(server.port()).isEqualTo(port);
            assertThat(windows.find(new Document("_id", "w1")).first()).containsEntry("value", 42);
        }
    }
}
