package io.qilin.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The rules on raw bytes: where a stream stops, whatever the pieces it arrives in. */
class StrictHttp1Test {
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    /** How many bytes are fine, fed whole; the same fed one byte at a time. */
    private static int fine(String stream) {
        byte[] b = stream.getBytes(StandardCharsets.ISO_8859_1);
        int whole = new StrictHttp1().scan(b, 0, b.length);
        StrictHttp1 bytewise = new StrictHttp1();
        int fed = 0;
        for (int i = 0; i < b.length; i++) {
            int n = bytewise.scan(b, i, 1);
            fed += n;
            if (n == 0) {
                break;
            }
        }
        assertThat(fed).as("byte by byte").isEqualTo(whole);
        return whole;
    }

    private static StrictHttp1.Violation violation(String stream) {
        byte[] b = stream.getBytes(StandardCharsets.ISO_8859_1);
        StrictHttp1 rules = new StrictHttp1();
        rules.scan(b, 0, b.length);
        return rules.violation();
    }

    @Test
    void validRequestsPassWhole() {
        String pipelined = GET + "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                + "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nT: 1\r\n\r\n"
                + "GET / HTTP/1.0\n\n";
        assertThat(fine(pipelined)).isEqualTo(pipelined.length());
    }

    @Test
    void httpTwosPrefaceOpensAnUncheckedConnectionOnlyWhereHttp2IsServed() {
        byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0012\u0004\u0000".getBytes(StandardCharsets.ISO_8859_1);
        StrictHttp1 h2 = new StrictHttp1(true);
        assertThat(h2.scan(preface, 0, preface.length)).isEqualTo(preface.length);
        assertThat(h2.violation()).isNull();
        StrictHttp1 h1 = new StrictHttp1();
        h1.scan(preface, 0, preface.length);
        assertThat(h1.violation().status()).isEqualTo(400);
        byte[] late = (GET + "PRI * HTTP/2.0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        StrictHttp1 afterARequest = new StrictHttp1(true);
        afterARequest.scan(late, 0, late.length);
        assertThat(afterARequest.violation()).as("the preface after a request").isNotNull();
    }

    @Test
    void theBytesBeforeTheFirstBadOneAreFine() {
        assertThat(fine(GET + "GE\u0001T / HTTP/1.1\r\n")).isEqualTo(GET.length() + 2);
        String folded = "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n";
        assertThat(fine(folded + " b\r\n\r\n")).isEqualTo(folded.length());
        String value = "GET / HTTP/1.1\r\nHost: x\r\nX-A: a long value";
        assertThat(fine(value + "\0b\r\n\r\n")).isEqualTo(value.length());
        assertThat(fine("GET /a/long/path\u0001 HTTP/1.1\r\n")).isEqualTo("GET /a/long/path".length());
        assertThat(fine("GET  / HTTP/1.1\r\n")).isEqualTo("GET ".length());
        String head = "GET / HTTP/1.7\r";
        assertThat(fine(head + "\nHost: x\r\n\r\n")).isEqualTo(head.length());
    }

    @Test
    void anUnknownTransferCodingIs501AndTheRest400() {
        assertThat(violation("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n").status()).isEqualTo(400);
        assertThat(violation("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").status())
                .isEqualTo(400);
        assertThat(violation("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br, chunked\r\n\r\n").status()).isEqualTo(501);
    }

    @Test
    void aDirectBufferIsCheckedAsAnArray() {
        String stream = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n" + "b".repeat(20000) + GET
                + "GET / HTTP/1.1\r\nHost: x\r\nX: a\u0001\r\n\r\n";
        byte[] b = stream.getBytes(StandardCharsets.ISO_8859_1);
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(b.length + 3);
        direct.put(new byte[3]).put(b).position(3);
        assertThat(new StrictHttp1().scan(direct)).isEqualTo(fine(stream)).isEqualTo(stream.indexOf('\u0001'));
        assertThat(direct.position()).isEqualTo(3);
    }

    @Test
    void theAnswerIsAStatusLineWithConnectionClose() {
        String answer = new String(violation("GET / HTTP/2.0\r\n").response(), StandardCharsets.ISO_8859_1);
        assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n");
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        assertThat(answer).contains("Content-Length: " + body.length() + "\r\n");
    }

    @Test
    void bodyBytesCanBeSkippedUnread() {
        StrictHttp1 rules = new StrictHttp1();
        byte[] head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(rules.skipBody(5)).isZero();
        assertThat(rules.scan(head, 0, head.length)).isEqualTo(head.length);
        assertThat(rules.skipBody(4)).isEqualTo(4);
        assertThat(rules.skipBody(100)).isEqualTo(6);
        assertThat(rules.skipBody(100)).isZero();
        byte[] next = GET.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(rules.scan(next, 0, next.length)).isEqualTo(next.length);
    }

    @Test
    void afterAnUpgradeTheBytesAreTheApplications() {
        String upgrade = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0005hello";
        assertThat(fine(upgrade)).isEqualTo(upgrade.length());
    }
}
