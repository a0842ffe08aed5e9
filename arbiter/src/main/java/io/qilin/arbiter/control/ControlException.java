package io.qilin.arbiter.control;

/** A control command cannot be done; the message goes back to the caller as the response's {@code error}. */
public final class ControlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ControlException(String message) {
        super(message, null, false, false);
    }
}
