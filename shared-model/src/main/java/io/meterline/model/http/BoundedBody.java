package io.meterline.model.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.util.function.Consumer;

/**
 * How the services' plain Vert.x routes read a request body. Quarkus hands such a request over paused; this keeps at
 * most {@code limit} bytes of it, whatever its {@code Content-Length} says and also when it is chunked. The first chunk
 * past the limit calls {@code tooLarge} once and everything after it is discarded (Vert.x still consumes the rest of
 * the request, so the connection stays in step); otherwise {@code complete} gets the whole body at its end. A client
 * that asks for {@code 100 Continue} (curl does for bodies over 1 KiB, and waits a second without it) gets it, as
 * RESTEasy sends it when it starts reading.
 */
public final class BoundedBody {

    private BoundedBody() {
    }

    public static void read(HttpServerRequest request, long limit, Consumer<Buffer> complete, Runnable tooLarge,
            Consumer<Throwable> failed) {
        Buffer body = Buffer.buffer(initialSize(request.getHeader(HttpHeaders.CONTENT_LENGTH), limit));
        boolean[] over = {false};
        request.handler(chunk -> {
            if (over[0]) {
                return;
            }
            if (body.length() + chunk.length() > limit) {
                over[0] = true;
                tooLarge.run();
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(failure -> {
            if (!request.response().ended()) {
                failed.accept(failure);
            }
        });
        request.endHandler(end -> {
            if (!over[0]) {
                complete.accept(body);
            }
        });
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT)) && request.version() == HttpVersion.HTTP_1_1) {
            request.response().writeContinue();
        }
        request.resume();
    }

    /**
     * Whether the request's {@code Content-Length} already says it is over {@code limit} (or is not a length at all):
     * such a request can be answered before a byte of its body is read.
     */
    public static boolean announcedOver(HttpServerRequest request, long limit) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return length != null && (length.isEmpty() || length.length() > 18 || !length.chars().allMatch(Character::isDigit)
                || Long.parseLong(length) > limit);
    }

    /** The announced length when it is a plausible one within the limit (only a hint: the bytes decide). */
    static int initialSize(String contentLength, long limit) {
        if (contentLength == null || contentLength.isEmpty() || contentLength.length() > 10
                || !contentLength.chars().allMatch(Character::isDigit)) {
            return 1024;
        }
        return (int) Math.min(Long.parseLong(contentLength), Math.min(limit, 1 << 20));
    }
}
