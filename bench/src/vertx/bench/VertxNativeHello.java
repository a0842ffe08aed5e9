package bench;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Hello world as a native Vert.x handler, for {@code qilin -k vertx --classpath ... bench.VertxNativeHello}:
 * runs on the event loop, where a portable JDK HttpHandler runs off it. Compiled only when the vertx
 * kind is installed.
 */
public class VertxNativeHello implements Handler<HttpServerRequest> {
    static final Buffer BODY = Buffer.buffer("Hello, World!\n");

    @Override
    public void handle(HttpServerRequest request) {
        request.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(BODY);
    }
}
