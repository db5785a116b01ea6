package io.meterline.billing.ops;

import java.util.List;

/** Readiness of the pipeline's services, as the console shows it. */
public interface PipelineStatus {

    /** {@code version} is what the service's readiness reports (its {@code version} check), or "unknown". */
    record Service(String name, boolean ready, String version, String detail) {
    }

    List<Service> services();
}
