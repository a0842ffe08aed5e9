package io.qilin.arbiter;

/** Leaves the master's loop: stop the workers, then exit with {@code status} ({@link MasterExitCodes}). */
final class Halt extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String reason;
    final int status;
    final boolean graceful;

    /** @param reason logged as "Reason: ..."; null for none */
    Halt(String reason, int status, boolean graceful) {
        super(reason, null, false, false);
        this.reason = reason;
        this.status = status;
        this.graceful = graceful;
    }
}
