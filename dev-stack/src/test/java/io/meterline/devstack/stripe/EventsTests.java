package io.meterline.devstack.stripe;

import com.stripe.model.Customer;
import com.stripe.model.Event;
import com.stripe.model.StripeCollection;
import com.stripe.param.EventListParams;
import org.junit.jupiter.api.Test;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The event log: listing, order and filters. */
class EventsTests extends StandInTestBase {

    @Test
    void eventsAreListedNewestFirstAndFilteredByCreatedAndType() throws Exception {
        long before = Instant.now().getEpochSecond();
        Customer customer = customer("ev@example.com");
        stripe.v1().customers().update(customer.getId(),
                com.stripe.param.CustomerUpdateParams.builder().setName("Eve").build());
        StripeCollection<Event> events = stripe.v1().events().list(EventListParams.builder()
                .setCreated(EventListParams.Created.builder().setGte(before).build()).build());
        assertThat(events.getData()).extracting(Event::getType).containsExactly("customer.updated", "customer.created");
        Event updated = events.getData().get(0);
        assertThat(updated.getData().getPreviousAttributes()).containsKey("name");
        assertThat(stripe.v1().events().list(EventListParams.builder().setType("customer.created").build()).getData())
                .hasSize(1);
    }
}
