package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and smuggling requests get Gunicorn's answers (reference §7), and the worker survives
 * each one (S14).
 */
class MalformedRequestsIT {
    /** Where a kind answers differently from Gunicorn: case → status, -1 for a close without a response. */
    private static final Map<String, Map<String, Integer>> DIFFERENCES = Map.of(
            // Netty: an over-long request line is a 414, as Gunicorn's ASGI worker. A bad chunk size is a 400 on every
            // kind (Qilin's rules, docs/strict-parsing.md), where Gunicorn closes without a response.
            "vertx", Map.of("request line over 4094", 414));
    private static final Map<String, Qilin> SERVERS = new HashMap<>();
    private static final Map<String, List<Long>> WORKERS = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        for (String kind : Qilin.KINDS) {
            Qilin q = Qilin.serving(kind, 1);
            SERVERS.put(kind, q);
            WORKERS.put(kind, q.workerPids());
        }
    }

    @AfterAll
    static void stop() {
        SERVERS.values().forEach(Qilin::close);
    }

    static Stream<Arguments> cases() {
        return requests().flatMap(a -> Qilin.KINDS.stream().map(kind -> {
            Object[] c = a.get();
            int expected = DIFFERENCES.getOrDefault(kind, Map.of()).getOrDefault((String) c[0], (Integer) c[1]);
            return Arguments.of(kind, c[0], expected, c[2]);
        }));
    }

    static Stream<Arguments> requests() {
        String big = "x".repeat(5000);
        StringBuilder manyHeaders = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            manyHeaders.append("X-H").append(i).append(": v\r\n");
        }
        return Stream.of(
                Arguments.of("CL and TE", 400, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /pid HTTP/1.1\r\nHost: x\r\n\r\n"),
                Arguments.of("two different Content-Lengths", 400, "POST /echo HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                Arguments.of("signed Content-Length", 400, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello"),
                Arguments.of("Content-Length list", 400, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello"),
                Arguments.of("bad chunk size", 400, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "zz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunked on HTTP/1.0", 400, "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("unknown transfer coding", 501, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: foo\r\n\r\n"),
                Arguments.of("space before the colon", 400, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked"
                        + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("request line over 4094", 400, "GET /" + big + " HTTP/1.1\r\nHost: x\r\n\r\n"),
                Arguments.of("101 header fields", 431, "GET /pid HTTP/1.1\r\nHost: x\r\n" + manyHeaders + "\r\n"),
                Arguments.of("header field over 8190", 431, "GET /pid HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(9000)
                        + "\r\n\r\n"),
                Arguments.of("NUL in a header value", 400, "GET /pid HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"),
                Arguments.of("duplicate Host", 400, "GET /pid HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                Arguments.of("bad HTTP version", 400, "GET /pid HTTP/x.y\r\nHost: x\r\n\r\n"),
                Arguments.of("unsupported expectation", 417, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n"
                        + "Content-Length: 0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("cases")
    void answersAsGunicornAndSurvives(String kind, String what, int status, String raw) throws Exception {
        Qilin q = SERVERS.get(kind);
        if (status == -1) {
            assertThatThrownBy(() -> Http.send(q.port, raw)).as(what).isInstanceOf(java.io.IOException.class);
        } else {
            Http.Response r = Http.send(q.port, raw);
            assertThat(r.status).as(what + ": " + r.head).isEqualTo(status);
        }
        assertThat(Http.get(q.port, "/pid").status).isEqualTo(200);
        assertThat(q.workerPids()).isEqualTo(WORKERS.get(kind));
    }
}
