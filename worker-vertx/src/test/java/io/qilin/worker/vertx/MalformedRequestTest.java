package io.qilin.worker.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the vertx worker answers to malformed and smuggling-shaped requests, with Gunicorn's default
 * limits. Each is followed by a good request.
 */
class MalformedRequestTest {
    private static final String H = "Host: t\r\nConnection: close\r\n";
    private static RunningWorker worker;

    @BeforeAll
    static void start() throws Exception {
        worker = RunningWorker.start(c -> c.set("APP", PortableApp.class.getName()));
    }

    @AfterAll
    static void stop() throws Exception {
        worker.close();
    }

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("Content-Length and Transfer-Encoding", 400,
                        "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("two differing Content-Lengths", 400,
                        "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                Arguments.of("Content-Length: +5", 400,
                        "POST /echo HTTP/1.1\r\n" + H + "Content-Length: +5\r\n\r\nhello"),
                Arguments.of("chunk size not hex", 400,
                        "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunked on HTTP/1.0", 400,
                        "POST /echo HTTP/1.0\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("request line of 4094 bytes", 200,
                        "GET /" + "a".repeat(4094 - 14) + " HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("request line of 4095 bytes", 414,
                        "GET /" + "a".repeat(4095 - 14) + " HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("100 header fields", 200,
                        "GET / HTTP/1.1\r\n" + H + "X-H: v\r\n".repeat(98) + "\r\n"),
                Arguments.of("101 header fields", 431,
                        "GET / HTTP/1.1\r\n" + H + "X-H: v\r\n".repeat(99) + "\r\n"),
                Arguments.of("header field of 8190 bytes with CRLF", 200,
                        "GET / HTTP/1.1\r\n" + H + "X-Big: " + "a".repeat(8188 - 7) + "\r\n\r\n"),
                Arguments.of("header field of 8191 bytes with CRLF", 431,
                        "GET / HTTP/1.1\r\n" + H + "X-Big: " + "a".repeat(8189 - 7) + "\r\n\r\n"),
                Arguments.of("header block over fields x field size", 431,
                        "GET / HTTP/1.1\r\n" + H + ("X-Big: " + "a".repeat(8000) + "\r\n").repeat(110) + "\r\n"),
                Arguments.of("NUL in a header value", 400,
                        "GET / HTTP/1.1\r\n" + H + "X-Nul: a\0b\r\n\r\n"),
                Arguments.of("space before the colon", 400,
                        "GET / HTTP/1.1\r\n" + H + "X-A : b\r\n\r\n"),
                Arguments.of("HTTP/1.2", 400,
                        "GET / HTTP/1.2\r\n" + H + "\r\n"),
                Arguments.of("Expect other than 100-continue", 417,
                        "GET / HTTP/1.1\r\n" + H + "Expect: foo\r\n\r\n"),
                Arguments.of("target the JDK's URI refuses (portable app)", 400,
                        "GET /a|b HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("not HTTP at all", 400,
                        "HELLO\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("requests")
    void answersThenServesAgain(String name, int expected, String raw) throws Exception {
        assertThat(Http.send(worker.port, raw).status()).isEqualTo(expected);
        assertThat(Http.get(worker.port, "/").status()).isEqualTo(200);
    }
}
