package dev.switchboard.transport.zmq;

/**
 * Counters of a {@link ZmqWorker} since it started, over all its gateways.
 *
 * <p>How it may grow: new counters may be added as new components in a minor release, which changes
 * the canonical constructor. Read it through its accessors; the relay builds it, applications need
 * not.
 *
 * @param registered    gateways it is registered with now
 * @param registrations registrations gateways acknowledged
 * @param served        requests it finished (items, end or error sent)
 * @param cancelled     requests a gateway cancelled or lost
 * @param malformed     messages dropped because they did not follow the protocol
 * @param dropped       commands or messages dropped because a queue was full
 * @param undeliverable requests ended with a {@code worker_failed} error because one of their
 *                      items or their end met a full command queue
 * @param gateways      gateways it is connected to now, fixed and followed ({@link ZmqWorkerSpec.Builder#connectAll})
 * @param gatewaysOverLimit addresses of followed names ignored because the worker had
 *                      {@link ZmqWorkerSpec#MAX_GATEWAYS} gateways already, summed over the lookups
 * @param failedLookups lookups of followed names that failed or came back empty (the last answer stayed)
 */
public record ZmqWorkerStats(int registered, long registrations, long served, long cancelled, long malformed,
                             long dropped, long undeliverable, int gateways, long gatewaysOverLimit,
                             long failedLookups) {
}
