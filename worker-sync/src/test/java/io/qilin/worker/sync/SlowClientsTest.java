package io.qilin.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpHandler;
import io.qilin.worker.Listener;
import io.qilin.worker.ListenerSpec;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerContext;
import io.qilin.tck.client.RawClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sync worker's reactor against clients that are slow, silent, greedy or never read. */
class SlowClientsTest {
    private ServerSocketChannel server;
    private Worker worker;
    private Thread thread;
    private final List<Socket> clients = new ArrayList<>();

    /** /big: 16 MiB; /echo: the body back; else "ok". */
    public static final class App implements HttpHandler {
        @Override
        public void handle(com.sun.net.httpserver.HttpExchange x) throws IOException {
            byte[] body;
            switch (x.getRequestURI().getPath()) {
                case "/big":
                    body = new byte[16 * 1024 * 1024];
                    break;
                case "/echo":
                    body = x.getRequestBody().readAllBytes();
                    break;
                default:
                    body = "ok".getBytes(StandardCharsets.US_ASCII);
            }
            x.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private int start(String... settings) throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 2048);
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
        for (Socket s : clients) {
            s.close();
        }
        if (worker != null) {
            worker.stop();
            thread.join(10_000);
        }
    }

    private Socket open(int port, String sent) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        clients.add(s);
        if (!sent.isEmpty()) {
            s.getOutputStream().write(sent.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
        }
        return s;
    }

    private static String readAll(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    private Socket openNotReading(int port, String sent) throws IOException {
        Socket s = RawClient.notReading(port, sent);
        clients.add(s);
        return s;
    }

    @Test
    void silentAndHalfSentClientsDoNotHoldTheRequestThread() throws Exception {
        int port = start("HEADER_TIMEOUT", "2");
        Socket silent = open(port, "");
        Socket halfHead = open(port, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        for (int i = 0; i < 5; i++) {
            assertThat(SyncWorkerTest.send(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 OK");
        }
        assertThat(readAll(halfHead)).startsWith("HTTP/1.1 408 ");
        assertThat(silent.getInputStream().read()).isEqualTo(-1); // closed without a response
    }

    @Test
    void aBodyThatPausesTooLongGets408() throws Exception {
        int port = start("BODY_TIMEOUT", "1");
        Socket s = open(port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        assertThat(readAll(s)).startsWith("HTTP/1.1 408 ");
    }

    @Test
    void aBodyOverTheLimitGets413ByLengthOrByChunksAndTheWorkerServesOn() throws Exception {
        int port = start("LIMIT_REQUEST_BODY", "1000");
        assertThat(SyncWorkerTest.send(port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n"))
                .startsWith("HTTP/1.1 413 ");
        assertThat(SyncWorkerTest.send(port, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3e8\r\n" + "a".repeat(1000) + "\r\n1\r\nb\r\n0\r\n\r\n")).startsWith("HTTP/1.1 413 ");
        assertThat(SyncWorkerTest.send(port, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                + "Content-Length: 5000\r\n\r\n")).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue");
        assertThat(SyncWorkerTest.send(port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
                + "a".repeat(1000))).startsWith("HTTP/1.1 200 OK").endsWith("a".repeat(1000));
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBodyIsSent() throws Exception {
        int port = start();
        Socket s = open(port, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        byte[] cont = s.getInputStream().readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
        assertThat(new String(cont, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        s.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
        assertThat(readAll(s)).startsWith("HTTP/1.1 200 OK").endsWith("hi");
    }

    @Test
    void aClientThatNeverReadsIsCutAfterTheWriteTimeoutAndTheWorkerServesOn() throws Exception {
        int port = start("WRITE_TIMEOUT", "1");
        Socket greedy = openNotReading(port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(SyncWorkerTest.send(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 OK"));
        InputStream in = greedy.getInputStream();
        byte[] buf = new byte[65536];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
            }
        } catch (IOException reset) {
            // cut: what matters is that the response did not arrive whole
        }
        assertThat(total).isLessThan(16L * 1024 * 1024);
    }

    @Test
    void pipelinedRequestsGetTheFirstResponseWholeAndNoReset() throws Exception {
        int port = start();
        String r = SyncWorkerTest.send(port, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(r).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nok").containsOnlyOnce("HTTP/1.1");
    }

    @Test
    void pastWorkerConnectionsTheOldestHeldConnectionMakesRoom() throws Exception {
        int port = start("WORKER_CONNECTIONS", "5", "HEADER_TIMEOUT", "30");
        for (int i = 0; i < 20; i++) {
            open(port, "");
        }
        assertThat(SyncWorkerTest.send(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 OK");
    }
}
