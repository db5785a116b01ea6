package io.meterline.model.usage;

import java.util.Date;

/**
 * A mark that an ungrouped hourly window changed and has not been settled by a reporting run yet (collection
 * {@link #COLLECTION}; one document per window, {@code _id} = the window's id). It is what lets a reporting run cost
 * what changed instead of what exists.
 *
 * <p>Whoever writes an ungrouped window (billing's aggregation writer, and benchmarks that stand in for it) upserts
 * the mark <em>before</em> the window, raising {@code version} to the version being written ({@code $max}). A
 * reporting run deletes a mark only when it has settled the window at a version at least the mark's, with the
 * filter {@code {_id, version}}: a window written again meanwhile keeps (or re-creates) its mark, and a write that
 * crashed between mark and window leaves a mark that costs one look and no more.
 */
public class WindowChangeDocument {
    public static final String COLLECTION = "usage_window_changes";

    /** The window's id ({@link UsageWindowDocument#idOf}, group ""). */
    public String id;
    /** The highest window version written (or about to be) since the window was last settled. */
    public long version;
    public Date windowStart;
}
