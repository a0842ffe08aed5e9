package io.qilin.worker.sync;

import static io.qilin.tck.client.RawClient.ascii;
import static io.qilin.tck.client.RawClient.body;
import static io.qilin.tck.client.RawClient.proxyV2Tcp4;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpHandler;
import io.qilin.worker.Listener;
import io.qilin.worker.ListenerSpec;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** --proxy-protocol on the sync worker's reactor: the client the header names, or a closed connection. */
class ProxyProtocolTest {
    private static final String REQUEST = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    private Worker worker;
    private Thread thread;

    /** The client's address and the scheme, as the exchange gives them. */
    public static final class WhoAmI implements HttpHandler {
        @Override
        public void handle(com.sun.net.httpserver.HttpExchange x) throws IOException {
            byte[] body = (x.getRemoteAddress().getAddress().getHostAddress() + " " + x.getAttribute("qilin.scheme"))
                    .getBytes(StandardCharsets.US_ASCII);
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private int start(String... settings) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 128);
        server.configureBlocking(false);
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        WorkerConfig.Builder b = WorkerConfig.builder().set("APP", WhoAmI.class.getName()).set("TIMEOUT", 30)
                .set("PROXY_PROTOCOL", true);
        for (int i = 0; i < settings.length; i += 2) {
            b.set(settings[i], settings[i + 1]);
        }
        Listener l = Listener.of(new ListenerSpec(-1, ListenerSpec.Family.INET, "127.0.0.1:" + port), server);
        worker = new SyncKind().create(WorkerContext.standalone(b.build(), List.of(l), getClass().getClassLoader()));
        thread = new Thread(() -> {
            try {
                worker.initProcess();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        thread.start();
        return port;
    }

    @AfterEach
    void stop() throws Exception {
        if (worker != null) {
            worker.stop();
            thread.join(10_000);
        }
    }

    /** Sends each part in a write of its own, then reads until the server closes. */
                @Test
    void theHeaderNamesTheClient() throws Exception {
        int port = start();
        assertThat(body(port, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 51234 8000\r\n" + REQUEST)))
                .isEqualTo("203.0.113.7 http");
        assertThat(body(port, ascii("PROXY TCP6 2001:db8::7 ::1 51"), ascii("234 8000\r\nGET / HT"), ascii("TP/1.1\r\n"),
                ascii("Host: x\r\n\r\n"))).isEqualTo("2001:db8:0:0:0:0:0:7 http");
        assertThat(body(port, proxyV2Tcp4(198, 51, 100, 9, 4000), ascii(REQUEST))).isEqualTo("198.51.100.9 http");
        assertThat(body(port, ascii("PROXY UNKNOWN\r\n" + REQUEST))).isEqualTo("127.0.0.1 http");
    }

    @Test
    void noHeaderAMalformedOneOrADisallowedPeerIsClosedUnanswered() throws Exception {
        int port = start();
        assertThat(body(port, ascii(REQUEST))).isEmpty();
        assertThat(body(port, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 51234\r\n" + REQUEST))).isEmpty();
        assertThat(body(port, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 51234 8000\r\n" + REQUEST)))
                .as("still serving").isEqualTo("203.0.113.7 http");
        stop();
        int other = start("PROXY_ALLOW_IPS", "10.0.0.0/8");
        assertThat(body(other, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 51234 8000\r\n" + REQUEST))).isEmpty();
    }

    @Test
    void forwardedHeadersAreTrustedByTheProxiedClientsAddress() throws Exception {
        int port = start("FORWARDED_ALLOW_IPS", "203.0.113.0/24");
        assertThat(body(port, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 51234 8000\r\n"
                + "GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\n\r\n"))).isEqualTo("203.0.113.7 https");
        assertThat(body(port, ascii("PROXY TCP4 198.51.100.9 127.0.0.1 51234 8000\r\n"
                + "GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\n\r\n"))).isEqualTo("198.51.100.9 http");
    }
}
