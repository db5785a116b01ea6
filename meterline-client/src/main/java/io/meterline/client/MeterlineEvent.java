package io.meterline.client;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One usage event as a producer records it. Its {@code id} is fixed when the event is built (a random UUID unless
 * given) and travels with it through every retry, the spool and a restart: (source, id) is how Meterline counts a
 * resend once.
 */
public final class MeterlineEvent {

    private final String id;
    private final String source;
    private final String type;
    private final String subject;
    private final Instant time;
    private final String organization;
    private final Map<String, Object> data;

    private MeterlineEvent(Builder builder) {
        this.id = builder.id != null ? builder.id : UUID.randomUUID().toString();
        this.source = builder.source;
        this.type = requireText(builder.type, "type");
        this.subject = requireText(builder.subject, "subject");
        this.time = builder.time != null ? builder.time : Instant.now();
        this.organization = builder.organization;
        this.data = Collections.unmodifiableMap(new LinkedHashMap<>(builder.data));
    }

    public static Builder builder() {
        return new Builder();
    }

    public String id() {
        return id;
    }

    /** Null when the client's default source applies. */
    public String source() {
        return source;
    }

    public String type() {
        return type;
    }

    public String subject() {
        return subject;
    }

    public Instant time() {
        return time;
    }

    public String organization() {
        return organization;
    }

    public Map<String, Object> data() {
        return data;
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    public static final class Builder {
        private String id;
        private String source;
        private String type;
        private String subject;
        private Instant time;
        private String organization;
        private final Map<String, Object> data = new LinkedHashMap<>();

        private Builder() {
        }

        /** A producer-chosen id (for example one derived from a business key); a random UUID otherwise. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /** Overrides the client's default source for this event. */
        public Builder source(String source) {
            this.source = source;
            return this;
        }

        public Builder type(String type) {
            this.type = type;
            return this;
        }

        public Builder subject(String subject) {
            this.subject = subject;
            return this;
        }

        /** When the usage happened; now when not set. */
        public Builder time(Instant time) {
            this.time = time;
            return this;
        }

        public Builder organization(String organization) {
            this.organization = organization;
            return this;
        }

        /** One data property (numbers, strings, booleans, nested maps and lists). */
        public Builder put(String key, Object value) {
            data.put(Objects.requireNonNull(key, "key"), value);
            return this;
        }

        public Builder data(Map<String, ?> values) {
            data.putAll(values);
            return this;
        }

        public MeterlineEvent build() {
            return new MeterlineEvent(this);
        }
    }
}
