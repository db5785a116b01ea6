package io.meterline.client;

/**
 * When the spool forces its writes to the disk. Whatever the policy, an event whose {@code record} returned is in
 * the operating system's file cache and survives the death of the JVM ({@code kill -9}, OOM); the policy decides
 * what survives a crash of the machine itself.
 */
public enum FsyncPolicy {
    /** fsync after every event: survives power loss, costs a disk flush per event. */
    EVERY_EVENT,
    /** fsync at most every {@code fsyncInterval} (default 1 s): a machine crash loses at most that much. */
    INTERVAL,
    /** Never fsync explicitly; the operating system writes back when it wants. */
    NEVER
}
