package io.qilin.tck;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable application the kit serves on the kind under test.
 * <ul>
 *   <li>{@code /pid}: the worker's pid;</li>
 *   <li>{@code /sleep?ms=N}: logs {@code tck-app: sleep started}, then answers the pid after N ms;</li>
 *   <li>{@code /log?m=TEXT}: logs {@code tck-app: TEXT} through SLF4J, then answers {@code ok};</li>
 *   <li>anything else: {@code ok}.</li>
 * </ul>
 */
public class TckApp implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(TckApp.class);

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getQuery();
        String body = "ok";
        switch (path) {
            case "/pid":
                body = Long.toString(ProcessHandle.current().pid());
                break;
            case "/sleep":
                log.info("tck-app: sleep started");
                sleep(Long.parseLong(query.substring("ms=".length())));
                body = Long.toString(ProcessHandle.current().pid());
                break;
            case "/log":
                log.info("tck-app: {}", query.substring("m=".length()));
                break;
            default:
                break;
        }
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
