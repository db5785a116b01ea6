package io.meterline.model.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** What the services' plain Vert.x routes share besides reading the body ({@link BoundedBody}). */
public final class Routes {

    private Routes() {
    }

    /** The token of an {@code Authorization: Bearer …} header (scheme case-insensitive), or null. */
    public static String bearerToken(HttpServerRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        return header != null && header.length() > 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim() : null;
    }

    /**
     * Answers with {@code bytes} as {@code type}, unless the response has already ended (a body over the limit is
     * answered while it still arrives, and its end or failure must not answer twice).
     */
    public static Future<Void> end(HttpServerResponse response, int status, String type, byte[] bytes) {
        if (response.ended()) {
            return Future.succeededFuture();
        }
        return response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, type).end(Buffer.buffer(bytes));
    }
}
