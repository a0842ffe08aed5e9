package io.qilin.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.qilin.worker.sync.RequestFraming.Status;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The reactor's framing: when a request is complete, too large, or to be handed on as it is. */
class RequestFramingTest {
    private static Status feed(RequestFraming f, String... parts) {
        StringBuilder sb = new StringBuilder();
        Status s = null;
        for (String p : parts) {
            sb.append(p);
            byte[] b = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            s = f.scan(b, b.length);
        }
        return s;
    }

    @Test
    void aHeadWithoutBodyIsCompleteAtTheBlankLine() {
        RequestFraming f = new RequestFraming(8192, 0);
        assertThat(feed(f, "GET / HTTP/1.1\r\nHo", "st: x\r\n", "\r")).isEqualTo(Status.NEED_MORE);
        assertThat(feed(new RequestFraming(8192, 0), "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(Status.COMPLETE);
        assertThat(feed(new RequestFraming(8192, 0), "GET / HTTP/1.0\n\n")).isEqualTo(Status.COMPLETE);
    }

    @Test
    void aContentLengthBodyIsCompleteWhenAllOfItCame() {
        RequestFraming f = new RequestFraming(8192, 100);
        assertThat(feed(f, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel")).isEqualTo(Status.NEED_MORE);
        RequestFraming g = new RequestFraming(8192, 100);
        assertThat(feed(g, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel", "lo")).isEqualTo(Status.COMPLETE);
        assertThat(g.end()).isEqualTo("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello".length());
    }

    @Test
    void aChunkedBodyIsCompleteAfterItsLastChunkAndTrailers() {
        RequestFraming f = new RequestFraming(8192, 100);
        assertThat(feed(f, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n", "2;x=y\r\nlo\r\n0\r\n"))
                .isEqualTo(Status.NEED_MORE);
        RequestFraming g = new RequestFraming(8192, 100);
        assertThat(feed(g, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n", "2\r\nlo\r\n0\r\n",
                "X-T: 1\r\n\r\nGET /next")).isEqualTo(Status.COMPLETE);
        String request = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\nX-T: 1\r\n\r\n";
        assertThat(g.end()).isEqualTo(request.length()); // the pipelined request after it is not part of it
    }

    @Test
    void aBodyOverTheLimitIsTooLargeByItsLengthOrItsChunks() {
        assertThat(feed(new RequestFraming(8192, 10), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n"))
                .isEqualTo(Status.TOO_LARGE);
        assertThat(feed(new RequestFraming(8192, 10), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n",
                "8\r\n")).isEqualTo(Status.TOO_LARGE);
        assertThat(feed(new RequestFraming(8192, 0), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n12345678901"))
                .isEqualTo(Status.COMPLETE);
    }

    @Test
    void framingItCannotReadIsHandedOnAtOnceForTheHandlerToRefuse() {
        assertThat(feed(new RequestFraming(8192, 0), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"))
                .isEqualTo(Status.COMPLETE);
        assertThat(feed(new RequestFraming(8192, 0), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n")).isEqualTo(Status.COMPLETE);
        assertThat(feed(new RequestFraming(8192, 0), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
                .isEqualTo(Status.COMPLETE);
        assertThat(feed(new RequestFraming(8192, 0), "POST / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 5\r\n\r\n"))
                .isEqualTo(Status.COMPLETE);
        assertThat(feed(new RequestFraming(64, 0), "GET /" + "a".repeat(100))).isEqualTo(Status.COMPLETE);
    }

    @Test
    void expectContinueIsWantedOnlyUntilTheBodyStarts() {
        RequestFraming f = new RequestFraming(8192, 100);
        String head = "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
        assertThat(feed(f, head)).isEqualTo(Status.NEED_MORE);
        assertThat(f.wantsContinue(head.length())).isTrue();
        assertThat(feed(f, head + "h")).isEqualTo(Status.NEED_MORE);
        assertThat(f.wantsContinue(head.length() + 1)).isFalse();
    }
}
