package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What only the gthread kind does: keep-alive, and long requests on task threads. */
class GthreadIT {

    @Test
    void hundredRequestsOnOneKeepAliveConnectionAreServedByOneWorker() throws Exception {
        try (Qilin q = Qilin.serving("gthread", 2, "--keep-alive", "5");
                Socket s = new Socket("127.0.0.1", q.port)) {
            s.setSoTimeout(Http.TIMEOUT_MILLIS);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            Set<String> pids = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                out.write("GET /pid HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
                int length = -1;
                for (String h = in.readLine(); !h.isEmpty(); h = in.readLine()) {
                    if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).trim());
                    }
                }
                char[] body = new char[length];
                int n = 0;
                while (n < length) {
                    n += in.read(body, n, length - n);
                }
                pids.add(new String(body));
            }
            assertThat(pids).hasSize(1);
            assertThat(q.workerPids()).contains(Long.parseLong(pids.iterator().next()));
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedByTheServer() throws Exception {
        try (Qilin q = Qilin.serving("gthread", 1, "--keep-alive", "1");
                Socket s = new Socket("127.0.0.1", q.port)) {
            s.setSoTimeout(Http.TIMEOUT_MILLIS);
            s.getOutputStream().write("GET /pid HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            byte[] buf = new byte[4096];
            int total = 0;
            int n;
            // the response, then end-of-stream once the idle connection is closed by the server
            while ((n = s.getInputStream().read(buf)) > 0) {
                total += n;
            }
            assertThat(n).isEqualTo(-1);
            assertThat(new String(buf, 0, Math.min(total, buf.length), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 OK");
        }
    }


    @Test
    void aLongRequestOnATaskThreadIsNotATimeout() throws Exception {
        // the heartbeat's --timeout alone: --request-timeout (which defaults to it) would answer 503 (RequestTimeoutIT)
        try (Qilin q = Qilin.serving("gthread", 1, "--timeout", "2", "--request-timeout", "0", "--threads", "2")) {
            long worker = q.workerPids().get(0);
            Http.Response r = Http.get(q.port, "/sleep?s=5");
            assertThat(r.status).isEqualTo(200);
            assertThat(r.body.trim()).isEqualTo(Long.toString(worker));
            assertThat(q.log()).doesNotContain("WORKER TIMEOUT");
        }
    }
}
