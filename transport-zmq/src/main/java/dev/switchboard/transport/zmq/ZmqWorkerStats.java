package dev.switchboard.transport.zmq;

/**
 * Counters of a {@link ZmqWorker} since it started, over all its gateways.
 *
 * @param registered    gateways it is registered with now
 * @param registrations registrations gateways acknowledged
 * @param served        requests it finished (items, end or error sent)
 * @param cancelled     requests a gateway cancelled or lost
 * @param malformed     messages dropped because they did not follow the protocol
 * @param dropped       commands or messages dropped because a queue was full
 */
public record ZmqWorkerStats(int registered, long registrations, long served, long cancelled, long malformed,
                             long dropped) {
}
