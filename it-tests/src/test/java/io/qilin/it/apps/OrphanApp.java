package io.qilin.it.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Makes an orphan on every request: a shell starts {@code sleep} in the background, prints its pid
 * and exits, so the sleep loses its parent and is re-parented to the nearest subreaper or to PID 1
 * of its namespace. The answer is that orphan's pid; {@code ?s=N} sets how long it lives (default 2).
 */
public class OrphanApp implements HttpHandler {
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        String seconds = query != null && query.matches("s=[0-9.]+") ? query.substring(2) : "2";
        Process shell = new ProcessBuilder("sh", "-c", "sleep " + seconds + " </dev/null >/dev/null 2>&1 & echo $!")
                .redirectErrorStream(true).start();
        byte[] orphan = shell.getInputStream().readAllBytes();
        try {
            if (!shell.waitFor(10, TimeUnit.SECONDS)) {
                shell.destroyForcibly();
                throw new IOException("the shell did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String pid = new String(orphan, StandardCharsets.US_ASCII).trim();
        System.err.println("OrphanApp: started orphan " + pid + " from worker " + ProcessHandle.current().pid());
        byte[] body = pid.getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
