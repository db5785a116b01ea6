package io.meterline.webhook.scheduler;

import io.meterline.webhook.service.ProcessingWorker;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/** Safety net of processing: finds due events the in-process triggers missed (retries after a restart, expired leases). */
@ApplicationScoped
public class ProcessingSweepJob {

    private final ProcessingWorker worker;

    public ProcessingSweepJob(ProcessingWorker worker) {
        this.worker = worker;
    }

    @Scheduled(identity = "webhook-sweep", every = "${webhook.processing.sweep-every:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        worker.sweep();
    }
}
