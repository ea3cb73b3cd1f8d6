package dev.switchboard.core;

/** The error codes a client can receive in an error response. */
public enum ErrorCode {
    /** The frame could not be decoded, or a required field was missing. */
    BAD_REQUEST("bad_request"),
    /** The relay's bounded queues were full; the client may retry later. */
    OVERLOADED("overloaded"),
    /** No worker was available to serve the request. */
    NO_WORKERS("no_workers"),
    /** The worker failed while serving the request. */
    WORKER_FAILED("worker_failed"),
    /** The request did not complete within the request timeout. */
    TIMEOUT("timeout");

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The code as it appears on the wire, for example {@code "bad_request"}.
     *
     * @return the code as it appears on the wire, for example {@code "bad_request"}
     */
    public String wireName() {
        return wireName;
    }
}
