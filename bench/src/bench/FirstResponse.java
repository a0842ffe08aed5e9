package bench;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The floor of "JVM start to first response": starts the JDK's built-in server with Qilin's hello
 * handler on an ephemeral port, sends itself one request over a socket, reads the answer, exits.
 */
public final class FirstResponse {
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", new io.qilin.examples.Hello());
        server.start();
        try (Socket s = new Socket("127.0.0.1", server.getAddress().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            if (!response.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException(response);
            }
        }
        server.stop(0);
        System.exit(0);
    }
}
