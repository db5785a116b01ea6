package io.meterline.model.kafka;

import net.jpountz.lz4.LZ4Factory;

/**
 * Lets Kafka's LZ4 compression use lz4-java's native (JNI) compressor inside a Quarkus application.
 *
 * <p>Kafka asks {@code LZ4Factory.fastestInstance()} for a compressor per record batch. lz4-java only loads its
 * native library there when its classes come from the system class loader, which is never the case in a Quarkus
 * application, and the {@code at.yawk.lz4} fork no longer has the {@code Unsafe} Java variant: every batch was
 * compressed by the pure-Java "safe" compressor, 17 % of the aggregation's stream threads in a profile. Loading the
 * native instance once makes {@code fastestInstance()} return it from then on. Where the library cannot be loaded
 * (no writable temporary directory, an unsupported platform), nothing changes.
 */
public final class NativeLz4 {

    private static volatile Boolean loaded;

    private NativeLz4() {
    }

    /** Loads the native compressor if possible (once); whether Kafka's LZ4 now runs natively. */
    public static boolean enable() {
        Boolean known = loaded;
        if (known == null) {
            synchronized (NativeLz4.class) {
                if (loaded == null) {
                    boolean ok;
                    try {
                        ok = LZ4Factory.nativeInstance() == LZ4Factory.fastestInstance();
                    } catch (Throwable e) {
                        // UnsatisfiedLinkError, or the library refused on this platform: the Java compressor stays
                        ok = false;
                    }
                    loaded = ok;
                }
                known = loaded;
            }
        }
        return known;
    }
}
