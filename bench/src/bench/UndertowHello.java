package bench;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import java.nio.charset.StandardCharsets;

/**
 * The plain-JVM baseline of the gthread kind: one Undertow server (the library gthread runs on) with
 * IO_THREADS I/O threads and TASK_THREADS task threads, answering what {@code io.qilin.examples.Hello}
 * answers, from a blocking handler on a task thread as gthread runs a portable handler.
 * Usage: {@code UndertowHello PORT IO_THREADS TASK_THREADS}
 */
public final class UndertowHello {
    private static final byte[] BODY = "Hello, World!\n".getBytes(StandardCharsets.UTF_8);

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int io = Integer.parseInt(args[1]);
        int tasks = Integer.parseInt(args[2]);
        HttpHandler hello = exchange -> {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.setResponseContentLength(BODY.length);
            exchange.getOutputStream().write(BODY);
            exchange.getOutputStream().close();
        };
        Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                .setIoThreads(io)
                .setWorkerThreads(tasks)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 2000) // Qilin's --keep-alive 2
                .setHandler(new BlockingHandler(hello))
                .build()
                .start();
        System.err.println("UndertowHello listening on 127.0.0.1:" + port + " with " + io + " I/O and " + tasks + " task threads");
    }
}
