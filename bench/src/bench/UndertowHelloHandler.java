package bench;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The hello app as a native Undertow handler served by gthread, the counterpart of the servlet hello in
 * bench/java_apps.sh: {@code UndertowHelloHandler} answers on the I/O thread,
 * {@code UndertowHelloHandler::dispatched} on a task thread, as undertow-servlet runs a servlet.
 */
public class UndertowHelloHandler implements HttpHandler {
    private static final ByteBuffer BODY = ByteBuffer.wrap("Hello, World!\n".getBytes(StandardCharsets.UTF_8));

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(BODY.duplicate());
    }

    /** The same, dispatched to the task threads first. */
    public static HttpHandler dispatched() {
        UndertowHelloHandler hello = new UndertowHelloHandler();
        return exchange -> {
            if (exchange.isInIoThread()) {
                exchange.dispatch(hello);
                return;
            }
            hello.handleRequest(exchange);
        };
    }
}
