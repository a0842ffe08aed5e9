package io.qilin.it.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/** An application whose constructor throws: a worker must exit 4 and the master halt at first boot. */
public class ThrowingApp implements HttpHandler {
    public ThrowingApp() {
        throw new IllegalStateException("database is down");
    }

    @Override
    public void handle(HttpExchange exchange) {
        throw new AssertionError("never constructed");
    }
}
