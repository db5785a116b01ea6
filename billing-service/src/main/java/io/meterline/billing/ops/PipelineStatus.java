package io.meterline.billing.ops;

import java.util.List;

/** Readiness of the pipeline's services, as the console shows it. */
public interface PipelineStatus {

    record Service(String name, boolean ready, String detail) {
    }

    List<Service> services();
}
