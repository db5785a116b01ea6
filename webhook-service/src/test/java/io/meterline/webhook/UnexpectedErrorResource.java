package io.meterline.webhook;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Test-only endpoint whose failure carries a class name and a secret-looking message the answer must not show. */
@Path("/test/unexpected-error")
public class UnexpectedErrorResource {

    @GET
    public String fail() {
        throw new IllegalStateException("io.meterline.Secret failed with sk_test_leaked");
    }
}
