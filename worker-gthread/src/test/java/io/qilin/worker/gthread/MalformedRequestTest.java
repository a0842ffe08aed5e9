package io.qilin.worker.gthread;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and smuggling requests get the status recorded here, on a closed connection, and the worker
 * serves on. Each status is what Qilin's rules (in front of Undertow), Undertow and {@link RequestChecks} answer; comments mark where it
 * differs from Gunicorn.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedRequestTest {
    private static final String HOST = "Host: x\r\n";

    private RunningWorker worker;

    @BeforeAll
    void start() throws Exception {
        worker = RunningWorker.start(Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        worker.close();
    }

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("CL and TE", post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400),
                Arguments.of("TE and CL with a smuggled request",
                        post("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", "5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n"), 400),
                Arguments.of("two differing CL", post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"), 400),
                Arguments.of("CL +5", post("Content-Length: +5\r\n", "hello"), 400),
                // Gunicorn closes without a response; Qilin's rules answer 400 (docs/strict-parsing.md)
                Arguments.of("bad chunk size", post("Transfer-Encoding: chunked\r\n", "zz\r\nhello\r\n0\r\n\r\n"), 400),
                Arguments.of("unknown transfer coding", post("Transfer-Encoding: xchunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), 501),
                Arguments.of("chunked not last", post("Transfer-Encoding: chunked, gzip\r\n", "5\r\nhello\r\n0\r\n\r\n"), 400),
                Arguments.of("TE in HTTP/1.0", "POST /echo HTTP/1.0\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400),
                Arguments.of("request line over 4094", "GET /" + "a".repeat(5000) + " HTTP/1.1\r\n" + HOST + "\r\n", 400),
                Arguments.of("101 header fields", "GET / HTTP/1.1\r\n" + HOST + fields(100) + "\r\n", 431),
                // Undertow's parser stops at twice the limit, with its own bare 400 (Gunicorn: 431)
                Arguments.of("500 header fields", "GET / HTTP/1.1\r\n" + HOST + fields(500) + "\r\n", 400),
                Arguments.of("header field over 8190", "GET / HTTP/1.1\r\n" + HOST + "X-Big: " + "b".repeat(9000) + "\r\n\r\n", 431),
                Arguments.of("NUL in a header", "GET / HTTP/1.1\r\n" + HOST + "X-A: a\0b\r\n\r\n", 400),
                Arguments.of("space in a header name", "GET / HTTP/1.1\r\n" + HOST + "Fo o: b\r\n\r\n", 400),
                Arguments.of("no Host", "GET / HTTP/1.1\r\n\r\n", 400),
                Arguments.of("HTTP/2.0", "GET / HTTP/2.0\r\n" + HOST + "\r\n", 400),
                Arguments.of("Expect other than 100-continue", post("Expect: 200-ok\r\nContent-Length: 5\r\n", "hello"), 417));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("requests")
    void isRefusedAndTheWorkerServesOn(String name, String request, int status) throws Exception {
        try (RawHttpClient client = worker.connect()) {
            client.send(request);
            RawHttpClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(status);
            assertThat(response.closes()).isTrue();
            assertThat(client.awaitClosedByServer()).isTrue();
        }
        try (RawHttpClient client = worker.connect()) {
            assertThat(client.get("/").status()).isEqualTo(200);
        }
    }

    private static String post(String headers, String body) {
        return "POST /echo HTTP/1.1\r\n" + HOST + headers + "\r\n" + body;
    }

    /** {@code n} header fields besides Host. */
    private static String fields(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("X-Field-").append(i).append(": v\r\n");
        }
        return sb.toString();
    }
}
