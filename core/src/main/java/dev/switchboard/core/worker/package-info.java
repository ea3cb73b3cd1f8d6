/**
 * Workers: the {@link dev.switchboard.core.worker.WorkerHandler} an application writes, the
 * {@link dev.switchboard.core.worker.LocalWorker} that runs it in-process, and the
 * {@link dev.switchboard.core.worker.ResourceCache} of expensive per-key resources whose changes
 * steer cache-affinity routing.
 */
@NullMarked
package dev.switchboard.core.worker;

import org.jspecify.annotations.NullMarked;
