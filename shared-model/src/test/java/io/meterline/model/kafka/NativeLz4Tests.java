package io.meterline.model.kafka;

import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NativeLz4Tests {

    @Test
    void kafkasLz4CompressorIsTheNativeOneOnceEnabled() {
        assertThat(NativeLz4.enable()).as("the JNI library loads on this platform").isTrue();
        // what Kafka's Lz4BlockOutputStream asks for, per record batch
        assertThat(LZ4Factory.fastestInstance()).isSameAs(LZ4Factory.nativeInstance());
        assertThat(NativeLz4.enable()).as("idempotent").isTrue();
    }
}
