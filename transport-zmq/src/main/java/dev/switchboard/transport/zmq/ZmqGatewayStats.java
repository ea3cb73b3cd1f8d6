package dev.switchboard.transport.zmq;

/**
 * Counters of a {@link ZmqGateway} since it was bound.
 *
 * <p>How it may grow: new counters may be added as new components in a minor release, which changes
 * the canonical constructor. Read it through its accessors; the relay builds it, applications need
 * not.
 *
 * @param workers           workers registered now
 * @param registrations     registrations accepted
 * @param deadWorkers       workers dropped for missed heartbeats or an unreachable socket
 * @param refused           registrations and CURVE handshakes refused
 * @param malformed         messages dropped because they did not follow the protocol
 * @param requests          requests sent to workers
 * @param dropped           commands the agent's full queue refused; each request concerned ended
 *                          with an error (or, for a cancel, its credit came back after the cancel wait)
 * @param undeliverable     requests ended with an error because a message for their worker (a
 *                          CREDIT) could not be sent
 * @param unansweredCancels cancelled requests whose worker did not answer within the cancel wait;
 *                          their credit came back
 * @param fencedAnswers     RESPONSE records of a registration the gateway had given up (a worker
 *                          declared dead, replaced or gone, that answered afterwards): dropped, never
 *                          delivered; their requests had ended already
 * @param lateAnswers       RESPONSE records of requests the gateway had ended without their answer
 *                          (the cancel wait passed): dropped, never delivered; the terminal one
 *                          settles the credit (CANCEL in {@code PROTOCOL.md})
 */
public record ZmqGatewayStats(int workers, long registrations, long deadWorkers, long refused, long malformed,
                              long requests, long dropped, long undeliverable, long unansweredCancels,
                              long fencedAnswers, long lateAnswers) {
}
