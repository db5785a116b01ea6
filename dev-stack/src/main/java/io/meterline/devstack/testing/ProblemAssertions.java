package io.meterline.devstack.testing;

import io.restassured.response.ValidatableResponse;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/** The error contract every service's ITs check: a problem+json body with the status and code, and nothing internal. */
public final class ProblemAssertions {

    private ProblemAssertions() {
    }

    /** The response is {@code application/problem+json} with {@code status} and {@code code}, and names no class. */
    public static void isProblem(ValidatableResponse response, int status, String code) {
        response.statusCode(status).contentType("application/problem+json")
                .body("status", equalTo(status)).body("code", equalTo(code))
                .body(not(containsString("Exception"))).body(not(containsString("io.meterline")));
    }
}
