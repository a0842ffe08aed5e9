package io.qilin.worker;

import java.io.IOException;
import java.util.Map;

/**
 * An application's own warm-up, run in each new worker before it reports ready, after the
 * {@code --warmup-requests}: for warm-up that needs real data (a request with a body, a login, a
 * cache to fill). The application object itself when it implements this interface, or the
 * {@code --warmup-hook} spec, found as the application is ({@code com.example.Warm} or
 * {@code com.example.App::warmup}). Called once, on a thread of its own, within
 * {@code --boot-timeout}; an exception is logged and does not stop the worker.
 */
@FunctionalInterface
public interface Warmup {
    /** Warms the application up; {@code client} sends requests through this worker's HTTP stack. */
    void warmUp(Client client) throws Exception;

    /**
     * Sends requests through the worker's real HTTP stack, on a loopback listener of its own that no
     * user request reaches. Each request carries {@value #HEADER}{@code : 1}.
     */
    interface Client {
        /** Sends one request; returns the response's status code. The response body is read and dropped. */
        int send(String method, String path, Map<String, String> headers, byte[] body) throws IOException;

        default int get(String path) throws IOException {
            return send("GET", path, Map.of(), new byte[0]);
        }
    }

    /** The header every warm-up request carries, so an application can tell them apart. */
    String HEADER = "X-Qilin-Warmup";
}
