package io.qilin.worker;

/** The application named on the command line could not be loaded; the worker exits with code 4. */
public class AppLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    public AppLoadException(String message) {
        super(message);
    }

    public AppLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
