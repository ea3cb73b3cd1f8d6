package dev.switchboard.transport.zmq;

/**
 * Counters of a {@link ZmqGateway} since it was bound.
 *
 * @param workers       workers registered now
 * @param registrations registrations accepted
 * @param deadWorkers   workers dropped for missed heartbeats or an unreachable socket
 * @param refused       registrations and CURVE handshakes refused
 * @param malformed     messages dropped because they did not follow the protocol
 * @param requests      requests sent to workers
 * @param dropped       commands dropped because the agent's queue was full
 */
public record ZmqGatewayStats(int workers, long registrations, long deadWorkers, long refused, long malformed,
                              long requests, long dropped) {
}
