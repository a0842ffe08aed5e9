package io.qilin.arbiter.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.qilin.arbiter.control.Health.Check;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthServerTest {
    private final StatusBoard board = new StatusBoard();
    private HealthServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    private static MasterStatus status(long takenAt, String... states) {
        List<MasterStatus.Worker> workers = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            workers.add(new MasterStatus.Worker(20 + i, 1, states[i], 1000, 0, 0, null, 0, 0, 0, 0));
        }
        return new MasterStatus(100, "1.0", 0, takenAt, 1, 1, states.length, List.of(), List.of(), workers,
                History.EMPTY);
    }

    @Test
    void beforeTheFirstPassNothingPasses() {
        for (Check c : Check.values()) {
            assertThat(Health.check(c, board, 1000).ok()).as(c.toString()).isFalse();
        }
    }

    @Test
    void readyNeedsOneReadyWorkerAndNoStop() {
        board.publish(status(1000, "booting", "booting"));
        assertThat(Health.check(Check.READYZ, board, 1000).reason()).isEqualTo("0 of 2 workers ready");
        assertThat(Health.check(Check.STARTUPZ, board, 1000).ok()).isFalse();
        assertThat(Health.check(Check.LIVEZ, board, 1000).ok()).isTrue();

        board.publish(status(2000, "ready", "booting"));
        assertThat(Health.check(Check.READYZ, board, 2000).ok()).isTrue();
        assertThat(Health.check(Check.READYZ, board, 2000).reason()).isEqualTo("1 of 2 workers ready");
        assertThat(Health.check(Check.STARTUPZ, board, 2000).ok()).isTrue();

        board.publish(status(3000, "retiring", "booting"));   // a worker crashed: no longer ready, still started
        assertThat(Health.check(Check.READYZ, board, 3000).ok()).isFalse();
        assertThat(Health.check(Check.STARTUPZ, board, 3000).ok()).isTrue();

        board.publish(status(4000, "ready", "ready"));
        board.markStopping();
        Health.Verdict v = Health.check(Check.READYZ, board, 4000);
        assertThat(v.ok()).isFalse();
        assertThat(v.text()).isEqualTo("failing: the master is stopping\n");
        assertThat(Health.check(Check.LIVEZ, board, 4000).ok()).isTrue();   // stopping is alive
    }

    @Test
    void aLoopThatStoppedTurningIsNotLive() {
        board.publish(status(1000, "ready"));
        assertThat(Health.check(Check.LIVEZ, board, 1000 + Health.LOOP_STALE_MILLIS).ok()).isTrue();
        Health.Verdict v = Health.check(Check.LIVEZ, board, 1001 + Health.LOOP_STALE_MILLIS);
        assertThat(v.ok()).isFalse();
        assertThat(v.reason()).isEqualTo("the master loop has not turned for " + (1 + Health.LOOP_STALE_MILLIS) + " ms");
    }

    @Test
    void servesTextAndJsonWith200Or503() throws IOException {
        server = HealthServer.start("127.0.0.1:0", board);
        board.publish(status(System.currentTimeMillis(), "ready", "booting"));
        String r = get("/readyz", "");
        assertThat(r).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Type: text/plain; charset=utf-8")
                .endsWith("\r\n\r\nok: 1 of 2 workers ready\n");

        Map<String, Object> json = Json.parseObject(body(get("/readyz?format=json", "")));
        assertThat(json).containsEntry("check", "readyz").containsEntry("status", "ok").containsEntry("stopping", false);
        assertThat(((Number) json.get("workers_ready")).intValue()).isEqualTo(1);
        assertThat(get("/livez", "Accept: application/json\r\n")).contains("Content-Type: application/json")
                .contains("\"status\":\"ok\"");
        assertThat(get("/livez?format=text", "Accept: application/json\r\n")).contains("ok: the master loop turned");

        board.markStopping();
        assertThat(get("/readyz", "")).startsWith("HTTP/1.1 503 Service Unavailable\r\n").endsWith("failing: the master is stopping\n");
        assertThat(get("/startupz", "")).startsWith("HTTP/1.1 200 ");
        assertThat(get("/metrics", "")).startsWith("HTTP/1.1 404 ");
        assertThat(send("POST /readyz HTTP/1.1\r\nContent-Length: 0\r\n\r\n")).startsWith("HTTP/1.1 405 ");
        assertThat(send("HEAD /livez HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n");
        assertThat(send("nonsense\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    }

    @Test
    void stalledClientsDoNotBlockTheOthers() throws IOException {
        server = HealthServer.start("127.0.0.1:0", board);
        board.publish(status(System.currentTimeMillis(), "ready"));
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < HealthServer.MAX_CONNECTIONS - 1; i++) {
                Socket s = connect();
                s.getOutputStream().write("GET /readyz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
                stalled.add(s);   // never finishes its request
            }
            assertThat(get("/readyz", "")).startsWith("HTTP/1.1 200 ");
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void aBarePortIsOnLoopback() {
        assertThat(HealthServer.address("8081")).isEqualTo(new InetSocketAddress("127.0.0.1", 8081));
        assertThat(HealthServer.address("0.0.0.0:8081").getHostString()).isEqualTo("0.0.0.0");
    }

    private String get(String path, String headers) throws IOException {
        return send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n");
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(server.address(), 5000);
        s.setSoTimeout(30_000);
        return s;
    }

    private String send(String raw) throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
}
