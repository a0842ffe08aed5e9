package io.qilin.worker.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.qilin.worker.Listener;
import io.qilin.worker.ListenerSpec;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VertxWorkerTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** Clients in parallel: a thread each (the common pool may have a single thread). */
    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool();

    @AfterAll
    static void stopClients() {
        CLIENTS.shutdownNow();
    }

    @Test
    void portableAppAnswers200() throws Exception {
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", PortableApp.class.getName()))) {
            Http.Response hello = Http.get(w.port, "/");
            assertThat(hello.status()).isEqualTo(200);
            assertThat(hello.body()).isEqualTo("hello");

            Http.Response echo = Http.send(w.port, "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            assertThat(echo.status()).isEqualTo(200);
            assertThat(echo.body()).isEqualTo("hello world");

            Http.Response stream = Http.get(w.port, "/stream");
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(stream.body()).startsWith("part0;part1;part2;").hasSize(18 + 100_000);
        }
    }

    @Test
    void expectContinueGetsInterimResponse() throws Exception {
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", PortableApp.class.getName()));
                Http http = new Http(w.port)) {
            http.write("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(http.read().status()).isEqualTo(100);
            http.write("hello");
            Http.Response r = http.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello");
        }
    }

    @Test
    void nativeAppAnswers200() throws Exception {
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", NativeApp.class.getName()))) {
            Http.Response r = Http.get(w.port, "/");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).startsWith("native vert.x-eventloop-thread-");
        }
    }

    @Test
    void servesConnectionsQueuedBeforeItStarted() throws Exception {
        Listener listener = RunningWorker.listenOnLoopback();
        int port = listener.spec().port();
        List<CompletableFuture<Http.Response>> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            queued.add(CompletableFuture.supplyAsync(() -> get(port, "/"), CLIENTS));
        }
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", NativeApp.class.getName()), List.of(listener), port)) {
            assertThat(w.port).isEqualTo(port);
            for (CompletableFuture<Http.Response> r : queued) {
                assertThat(r.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
        }
    }

    @Test
    void blockingPortableAppDoesNotStallTheEventLoop() throws Exception {
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", PortableApp.class.getName()).set("THREADS", 1))) {
            CompletableFuture<Http.Response> slow = CompletableFuture.supplyAsync(() -> get(w.port, "/sleep?ms=3000"), CLIENTS);
            awaitCondition(() -> PortableApp.SLEEPING.get() == 1);
            assertThat(Http.get(w.port, "/").status()).isEqualTo(200);
            assertThat(slow).as("the sleeping request is still in flight").isNotDone();
            assertThat(slow.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
    }

    @Test
    void bothEventLoopsServe() throws Exception {
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", NativeApp.class.getName()).set("THREADS", 2))) {
            Set<String> loops = new HashSet<>();
            for (int i = 0; i < 50 && loops.size() < 2; i++) {
                loops.add(Http.get(w.port, "/").body());
            }
            assertThat(loops).hasSize(2).allMatch(s -> s.startsWith("native vert.x-eventloop-thread-"));
        }
    }

    @Test
    void maxRequestsEndsRun() throws Exception {
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", PortableApp.class.getName()).set("MAX_REQUESTS", 3))) {
            assertThat(Http.get(w.port, "/").status()).isEqualTo(200);
            try (Http http = new Http(w.port)) { // keep-alive: the last response closes the connection
                http.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
                assertThat(http.read().header("Connection")).isNull();
                http.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
                Http.Response last = http.read();
                assertThat(last.status()).isEqualTo(200);
                assertThat(last.header("Connection")).isEqualTo("close");
                assertThat(http.closedByServer()).isTrue();
            }
            assertThat(w.exited(DEADLINE)).as("run() returned after max requests").isTrue();
            assertThat(w.failure()).isNull();
        }
    }

    @Test
    void gracefulStopFinishesRequestsInFlight() throws Exception {
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", PortableApp.class.getName()))) {
            List<CompletableFuture<Http.Response>> inFlight = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                inFlight.add(CompletableFuture.supplyAsync(() -> get(w.port, "/sleep?ms=1500"), CLIENTS));
            }
            awaitCondition(() -> PortableApp.SLEEPING.get() == 4);
            w.worker.stop();
            // this process's copy of the listener is closed first, so new connections are refused
            awaitCondition(() -> refused(w.port));
            for (CompletableFuture<Http.Response> r : inFlight) {
                assertThat(r.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
            assertThat(w.exited(DEADLINE)).as("run() returned after the drain").isTrue();
        }
    }

    @Test
    void gracefulStopAnswersTheNextRequestOnAKeptConnectionThenClosesIt() throws Exception {
        for (String app : List.of(PortableApp.class.getName(), NativeApp.class.getName())) {
            try (RunningWorker w = RunningWorker.start(c -> c.set("APP", app).set("KEEP_ALIVE", 60));
                    Http http = new Http(w.port)) {
                http.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
                assertThat(http.read().header("Connection")).as(app).isNull();
                w.worker.stop();
                awaitCondition(() -> refused(w.port));
                // idle since before the stop, and for a while after: kept for the request its client may be sending
                Thread.sleep(1000);
                http.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
                Http.Response last = http.read();
                assertThat(last.status()).as(app).isEqualTo(200);
                assertThat(last.header("Connection")).as(app).isEqualTo("close");
                assertThat(http.closedByServer()).as(app).isTrue();
                assertThat(w.exited(DEADLINE)).as("run() returned once the last connection closed").isTrue();
            }
        }
    }

    @Test
    void applicationExceptionIs500AndTheWorkerLivesOn() throws Exception {
        for (String app : List.of(PortableApp.class.getName(), NativeApp.class.getName())) {
            try (RunningWorker w = RunningWorker.start(c -> c.set("APP", app))) {
                assertThat(Http.get(w.port, "/boom").status()).as(app).isEqualTo(500);
                assertThat(Http.get(w.port, "/").status()).as(app).isEqualTo(200);
            }
        }
    }

    @Test
    void keepAliveZeroClosesEveryConnection() throws Exception {
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", NativeApp.class.getName()).set("KEEP_ALIVE", 0));
                Http http = new Http(w.port)) {
            http.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            Http.Response r = http.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void keepAliveClosesIdleConnectionsButNotSlowRequests() throws Exception {
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", NativeApp.class.getName()).set("KEEP_ALIVE", 1));
                Http http = new Http(w.port)) {
            // longer than the keep-alive, and the application sets its own response end handler
            http.write("GET /later?ms=2500 HTTP/1.1\r\nHost: t\r\n\r\n");
            Http.Response r = http.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("later");
            assertThat(http.closedByServer()).as("idle connection closed after the keep-alive").isTrue();
        }
    }

    @Test
    void keepAliveLeavesWebSocketsOpen() throws Exception {
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", NativeApp.class.getName()).set("KEEP_ALIVE", 1));
                Http http = new Http(w.port)) {
            http.write("GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(http.read().status()).isEqualTo(101);
            // past the keep-alive and its sweep (closed within 1.25 s): an idle HTTP connection is gone by now
            Thread.sleep(2500);
            byte[] mask = {1, 2, 3, 4};
            byte[] frame = {(byte) 0x81, (byte) 0x84, mask[0], mask[1], mask[2], mask[3],
                    (byte) ('p' ^ mask[0]), (byte) ('i' ^ mask[1]), (byte) ('n' ^ mask[2]), (byte) ('g' ^ mask[3])};
            http.write(frame);
            assertThat(new String(http.readNBytes(6), StandardCharsets.ISO_8859_1)).isEqualTo("\u0081\u0004ping");
        }
    }

    @Test
    void workerConnectionsCapsTheConnectionsAccepted() throws Exception {
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", NativeApp.class.getName())
                .set("WORKER_CONNECTIONS", 2).set("KEEP_ALIVE", 60))) {
            Http first = new Http(w.port);
            try (Http second = new Http(w.port)) {
                for (Http open : List.of(first, second)) {
                    open.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
                    assertThat(open.read().status()).isEqualTo(200);
                }
                try (Http third = new Http(w.port)) {
                    third.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
                    third.readTimeout(1000);
                    assertThat(third.closedByServer()).as("third connection waits in the queue").isFalse();
                    first.close();
                    third.readTimeout(20_000);
                    assertThat(third.read().status()).isEqualTo(200);
                }
            } finally {
                first.close();
            }
        }
    }

    @Test
    void servesSeveralListenersIncludingUnixSockets(@TempDir Path dir) throws Exception {
        ServerSocketChannel tcp = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        tcp.configureBlocking(false);
        int port = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
        Path socket = dir.resolve("qilin.sock");
        ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(socket));
        unix.configureBlocking(false);
        List<Listener> listeners = List.of(
                Listener.of(new ListenerSpec(-1, ListenerSpec.Family.INET, "127.0.0.1:" + port), tcp),
                Listener.of(new ListenerSpec(-1, ListenerSpec.Family.UNIX, socket.toString()), unix));
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", PortableApp.class.getName()), listeners, port)) {
            assertThat(Http.get(w.port, "/").body()).isEqualTo("hello");
            CompletableFuture<String> response = CompletableFuture.supplyAsync(() -> unixGet(socket), CLIENTS);
            assertThat(response.get(20, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200 OK").endsWith("hello");
        }
        assertThat(Files.exists(socket)).as("the worker leaves the socket file to the master").isTrue();
    }

    private static String unixGet(Path socket) {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(StandardCharsets.US_ASCII.encode("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
            ByteBuffer buf = ByteBuffer.allocate(4096);
            StringBuilder response = new StringBuilder();
            while (client.read(buf.clear()) > 0) {
                response.append(StandardCharsets.US_ASCII.decode(buf.flip()));
            }
            return response.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Http.Response get(int port, String path) {
        try {
            return Http.get(port, path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean refused(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return !s.isConnected();
        } catch (java.net.ConnectException e) {
            return true;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitCondition(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met before the deadline").isLessThan(end);
            Thread.sleep(20);
        }
    }
}
