package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind writes Gunicorn's access log line, and USR1 reopens the access log too. */
class AccessLogIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void oneLinePerResponseInGunicornsFormat(String kind) throws Exception {
        Path access = dir.resolve("access.log");
        try (Qilin q = Qilin.serving(kind, 1, "--access-logfile", access.toString())) {
            Http.Response r = Http.send(q.port, "GET /pid?x=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: qilin-test\r\n"
                    + "Referer: http://ref\r\nConnection: close\r\n\r\n");
            assertThat(r.status).isEqualTo(200);
            String pattern = "127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\\] "
                    + "\"GET /pid\\?x=1 HTTP/1\\.1\" 200 " + r.body.length() + " \"http://ref\" \"qilin-test\"";
            await().atMost(Qilin.BOOT).until(() -> Files.exists(access) && Files.readString(access).strip().matches(pattern));

            Path rotated = dir.resolve("access.log.1");
            Files.move(access, rotated);
            q.signal("USR1");
            await().atMost(Qilin.BOOT).until(() -> Files.exists(access));
            assertThat(Http.get(q.port, "/echo").status).isEqualTo(200);
            await().atMost(Qilin.BOOT).until(() -> Files.readString(access).contains("\"GET /echo HTTP/1.1\" 200"));
            assertThat(Files.readString(rotated)).doesNotContain("/echo");
        }
    }
}
