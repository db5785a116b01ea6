package io.meterline.webhook.domain;

/** An error with a code that maps to an HTTP answer at the edge. */
public class WebhookException extends RuntimeException {
    private final ErrorCode code;

    public WebhookException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public WebhookException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
