package io.meterline.billing.config;

import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * {@code billing.sources.<name>.*}: one usage provider that can list what it recorded. A {@code pull} source is read
 * from {@link #url()} page by page; a {@code push} source is given batches through
 * {@code POST /admin/reconciliations/sources/<name>}. Field paths are dotted paths into the provider's record.
 */
public interface SourceConfig {

    /** {@code pull} or {@code push}. */
    @WithDefault("pull")
    String kind();

    /** Records endpoint of a pull source; asked with {@code from}, {@code to}, {@code limit} and {@code cursor}. */
    Optional<String> url();

    /** Bearer token for the provider's API; a secret, so no default. */
    Optional<String> token();

    /**
     * {@code cursor}: each page names the next cursor ({@link #cursorPath()}), sent back as {@code cursor};
     * {@code page}: pages are numbered from 1 ({@code page=N}) until one comes back short.
     */
    @WithDefault("cursor")
    String pagination();

    /** Records per page asked for (providers commonly allow more than 100). */
    @WithDefault("500")
    int pageSize();

    /** Where a page lists its records. */
    @WithDefault("data")
    String recordsPath();

    /** Where a page gives the next cursor (absent or null: last page). */
    @WithDefault("next_cursor")
    String cursorPath();

    /** The usage event {@code source} recovered events carry: the one the provider's webhooks use. */
    String eventSource();

    @WithDefault("id")
    String idPath();

    @WithDefault("subject")
    String subjectPath();

    /** Path of the event type in the record; when absent every record gets {@link #eventType()}. */
    Optional<String> typePath();

    Optional<String> eventType();

    @WithDefault("time")
    String timePath();

    /** Path of the numeric value; it becomes {@code data.<valueField>} of the usage event. */
    Optional<String> valuePath();

    @WithDefault("value")
    String valueField();

    /** Price per unit in minor units, for the estimated revenue recovered; absent: not estimated. */
    Optional<Double> unitPrice();
}
