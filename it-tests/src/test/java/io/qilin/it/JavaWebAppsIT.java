package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apps Java users already have, served by bin/qilin with the README's commands: a plain servlet
 * application and a JAX-RS one on gthread, a Vert.x Web router on vertx.
 */
class JavaWebAppsIT {
    /** Jersey and undertow-servlet take a while to start on a busy 2-CPU machine. */
    private static final Duration BOOT = Duration.ofMinutes(3);
    private static final String TODO_SERVICE = Qilin.HOME.resolve("examples/todo-service") + "/*";

    @Test
    void aServletAppServesAndDestroysItsContextOnReloadAndOnStop() throws Exception {
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-k", "gthread", "-w", "1", "--boot-timeout", "180",
                "io.qilin.examples.servlet.HelloServlets")) {
            long first = q.awaitReadyWorkers(1, BOOT).get(0);
            Http.Response hello = Http.get(port, "/hello/ann");
            assertThat(hello.status).isEqualTo(200);
            assertThat(hello.body).isEqualTo("Hello, ann!\n");
            assertThat(hello.head).containsIgnoringCase("X-Filter: timing");
            assertThat(Http.get(port, "/").body).isEqualTo("Hello, World!\n");
            assertThat(q.log()).contains("hello servlets: contextInitialized in pid " + first);

            q.signal("HUP");
            q.awaitLog("Reload complete: generation 2 is serving", BOOT);
            // the line an old worker logs after it drained, from the app's ServletContextListener
            q.awaitLog("hello servlets: contextDestroyed in pid " + first);
            List<Long> second = q.awaitReadyWorkers(1, BOOT);
            assertThat(second).doesNotContain(first);
            assertThat(Http.get(port, "/hello/bob").body).isEqualTo("Hello, bob!\n");

            q.signal("TERM");
            assertThat(q.awaitExit(BOOT)).isZero();
            assertThat(q.log()).contains("hello servlets: contextDestroyed in pid " + second.get(0));
        }
    }

    @Test
    void aServletAppServesHttps(@TempDir Path dir) throws Exception {
        TestCertificate certificate = TestCertificate.makeIn(dir);
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-k", "gthread", "--boot-timeout", "180",
                "--certfile", certificate.cert().toString(), "--keyfile", certificate.key().toString(),
                "io.qilin.examples.servlet.HelloServlets")) {
            q.awaitReadyWorkers(1, BOOT);
            SSLContext trustAll = TestCertificate.trustingAnyServer();
            try (SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", port)) {
                s.setSoTimeout(Http.TIMEOUT_MILLIS);
                OutputStream out = s.getOutputStream();
                out.write("GET /hello/tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes());
                out.flush();
                Http.Response r = Http.parse(s.getInputStream());
                assertThat(r.status).isEqualTo(200);
                assertThat(r.body).isEqualTo("Hello, tls!\n");
            }
        }
    }

    @Test
    void aJaxRsAppOnJerseyServesAtItsContextPath() throws Exception {
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-k", "gthread", "-w", "2", "--boot-timeout", "180",
                "--servlet-context-path", "/api", "--classpath", TODO_SERVICE, "--access-logfile", "-",
                "io.qilin.examples.jaxrs.JaxRsHello::servlet")) {
            q.awaitReadyWorkers(2, BOOT);
            Http.Response hi = Http.get(port, "/api/hello/ann?greeting=Hi");
            assertThat(hi.status).isEqualTo(200);
            assertThat(hi.body).isEqualTo("Hi, ann!\n");
            assertThat(Http.get(port, "/api/hello").body).isEqualTo("Hello, World!\n");
            assertThat(Http.get(port, "/api/nothing").status).as("JAX-RS: no resource").isEqualTo(404);
            assertThat(Http.get(port, "/hello").status).as("outside the context path").isEqualTo(404);
            // the access log covers servlet apps as every other app
            q.awaitLog("\"GET /api/hello/ann\\?greeting=Hi HTTP/1.1\" 200");
        }
    }

    @Test
    void aVertxWebRouterServesOnEveryEventLoop() throws Exception {
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-k", "vertx", "-w", "2", "--threads", "2",
                "io.qilin.examples.web.HelloRouter::router")) {
            List<Long> workers = q.awaitReadyWorkers(2, BOOT);
            Http.Response hello = Http.get(port, "/hello/ann");
            assertThat(hello.status).isEqualTo(200);
            assertThat(hello.body).startsWith("{\"greeting\":\"Hello, ann!\",\"pid\":");
            assertThat(workers).anyMatch(pid -> hello.body.contains("\"pid\":" + pid + "}"));
            assertThat(Http.post(port, "/echo", "some body").body).isEqualTo("some body");
            assertThat(Http.get(port, "/nowhere").status).isEqualTo(404);
            q.signal("HUP");
            q.awaitLog("Reload complete: generation 2 is serving", BOOT);
            assertThat(Http.get(port, "/").body).isEqualTo("Hello, World!\n");
        }
    }
}
