package dev.switchboard.core.worker;

import dev.switchboard.core.test.WorkerLinkContract;
import dev.switchboard.core.transport.WorkerLink;

/** The worker-link contract against the in-process {@link LocalWorker}. */
class LocalWorkerContractTest extends WorkerLinkContract {

    @Override
    protected WorkerLink start(int capacity) {
        LocalWorker worker = LocalWorker.builder(handler).id("local").capacity(capacity).build();
        onTearDown(worker::close);
        return worker;
    }
}
