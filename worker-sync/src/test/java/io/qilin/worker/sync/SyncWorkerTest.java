package io.qilin.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpHandler;
import io.qilin.worker.Listener;
import io.qilin.worker.ListenerSpec;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sync worker run in-process on a socket of its own: framing, errors, streaming, recycling. */
class SyncWorkerTest {
    private ServerSocketChannel server;
    private Worker worker;
    private Thread thread;

    /** An app for these tests: /echo, /chunked (unknown length), /fail (throws), /nothing (no response). */
    public static final class App implements HttpHandler {
        @Override
        public void handle(com.sun.net.httpserver.HttpExchange x) throws IOException {
            switch (x.getRequestURI().getPath()) {
                case "/echo": {
                    byte[] b = x.getRequestBody().readAllBytes();
                    x.sendResponseHeaders(200, b.length == 0 ? -1 : b.length);
                    x.getResponseBody().write(b);
                    x.close();
                    break;
                }
                case "/chunked":
                    x.sendResponseHeaders(200, 0);
                    try (OutputStream out = x.getResponseBody()) {
                        out.write("part1-".getBytes(StandardCharsets.US_ASCII));
                        out.write("part2".getBytes(StandardCharsets.US_ASCII));
                    }
                    break;
                case "/fail":
                    throw new IllegalStateException("boom");
                case "/nothing":
                    break;
                default:
                    x.sendResponseHeaders(200, 2);
                    x.getResponseBody().write("ok".getBytes(StandardCharsets.US_ASCII));
                    x.close();
            }
        }
    }

    private int start(String... settings) throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        server.configureBlocking(false);
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        WorkerConfig.Builder b = WorkerConfig.builder().set("APP", App.class.getName()).set("TIMEOUT", 30);
        for (int i = 0; i < settings.length; i += 2) {
            b.set(settings[i], settings[i + 1]);
        }
        Listener l = Listener.of(new ListenerSpec(-1, ListenerSpec.Family.INET, "127.0.0.1:" + port), server);
        worker = new SyncKind().create(WorkerContext.standalone(b.build(), List.of(l), getClass().getClassLoader()));
        thread = new Thread(() -> {
            try {
                worker.initProcess();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        thread.start();
        return port;
    }

    @AfterEach
    void stop() throws Exception {
        if (worker != null) {
            worker.stop();
            thread.join(10_000);
        }
    }

    static String send(int port, String raw) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void servesOneRequestPerConnectionWithConnectionClose() throws Exception {
        int port = start();
        String r = send(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(r).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: close\r\n").contains("Content-Length: 2\r\n")
                .endsWith("\r\n\r\nok");
    }

    @Test
    void echoesAFixedLengthAndAChunkedBody() throws Exception {
        int port = start();
        assertThat(send(port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")).endsWith("\r\n\r\nhello");
        assertThat(send(port, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n"))
                .endsWith("\r\n\r\nhello");
    }

    @Test
    void unknownLengthIsChunkedForHttp11AndCloseDelimitedForHttp10() throws Exception {
        int port = start();
        assertThat(send(port, "GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n")).contains("Transfer-Encoding: chunked\r\n")
                .endsWith("6\r\npart1-\r\n5\r\npart2\r\n0\r\n\r\n");
        String r10 = send(port, "GET /chunked HTTP/1.0\r\n\r\n");
        assertThat(r10).doesNotContain("Transfer-Encoding").endsWith("\r\n\r\npart1-part2");
    }

    @Test
    void expectContinueGets100ThenTheResponse() throws Exception {
        int port = start();
        String r = send(port, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi");
        assertThat(r).startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n").endsWith("hi");
    }

    @Test
    void appExceptionIs500AndTheWorkerServesOn() throws Exception {
        int port = start();
        assertThat(send(port, "GET /fail HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 500 Internal Server Error\r\n");
        assertThat(send(port, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 500 ");
        assertThat(send(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    void refusesControlCharactersInHeaderValues() throws Exception {
        int port = start();
        assertThat(send(port, "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(send(port, "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0007b\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    }

    @Test
    void maxRequestsEndsTheLoopAfterTheLastResponse() throws Exception {
        int port = start("MAX_REQUESTS", "3");
        for (int i = 0; i < 3; i++) {
            assertThat(send(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 OK");
        }
        thread.join(10_000);
        assertThat(thread.isAlive()).isFalse();
        worker = null;
    }

    @Test
    void requestLineLimitIs400AndHeaderLimitsAre431() throws Exception {
        int port = start("LIMIT_REQUEST_LINE", "100", "LIMIT_REQUEST_FIELDS", "3", "LIMIT_REQUEST_FIELD_SIZE", "50");
        assertThat(send(port, "GET /" + "a".repeat(120) + " HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(send(port, "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")).startsWith("HTTP/1.1 431 ");
        assertThat(send(port, "GET / HTTP/1.1\r\nHost: x\r\nA: " + "b".repeat(60) + "\r\n\r\n")).startsWith("HTTP/1.1 431 ");
        assertThat(send(port, "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\n\r\n")).startsWith("HTTP/1.1 200 ");
    }
}
