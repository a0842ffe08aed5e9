package io.qilin.arbiter;

/** The master cannot start: one line for the user, exit {@link MasterExitCodes#STARTUP_ERROR}. */
final class StartupError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StartupError(String message) {
        super(message, null, false, false);
    }
}
