package io.meterline.model.usage;

import java.util.List;

/**
 * Marks that ungrouped hourly windows changed and have not been settled by a reporting run yet (collection
 * {@link #COLLECTION}). They are what lets a reporting run cost what changed instead of what exists.
 *
 * <p>One document per write: whoever writes ungrouped windows (billing's aggregation writer, and benchmarks and test
 * seeds that stand in for it) first inserts one document listing every window it is about to write with the version
 * it writes ({@link #MARKS}: {@code [{window, version}, …]}, at most {@link #MARKS_PER_DOCUMENT} per document), then
 * writes the windows. A mark document is never changed: a reporting run deletes it once it has settled every window in
 * it at a version at least the marked one, and replaces one it settled in part by one holding the rest (the new one
 * first). A window written again meanwhile has a newer document; a write that crashed between marks and windows
 * leaves marks that cost one look and no more.
 *
 * <p>Documents of the earlier shape, one per window ({@code {_id: <window id>, version}}, raised with {@code $max}),
 * are still read and settled (with the filter {@code {_id, version}}), so an upgrade loses no mark.
 */
public class WindowChangeDocument {
    public static final String COLLECTION = "usage_window_changes";
    /** The field holding the marks of one document. */
    public static final String MARKS = "marks";
    /** A mark's window id ({@link UsageWindowDocument#idOf}, group ""). */
    public static final String WINDOW = "window";
    /** A mark's version: the window version written (or about to be). */
    public static final String VERSION = "version";
    /** Most marks in one document (≈ 80 bytes each: far below MongoDB's 16 MB document limit). */
    public static final int MARKS_PER_DOCUMENT = 10_000;

    /** One window about to be written at {@code version}. */
    public static class Mark {
        public String window;
        public long version;
    }

    /** A generated id (an {@code ObjectId}); for documents of the earlier shape, the window's id. */
    public Object id;
    public List<Mark> marks;
}
