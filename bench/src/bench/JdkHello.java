package bench;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * The plain-JVM baseline of the sync kind: Qilin's own hello handler ({@code io.qilin.examples.Hello})
 * on the JDK's built-in server, one JVM, a fixed pool of THREADS request threads.
 * Run with {@code -Dsun.net.httpserver.nodelay=true}, or every response waits for Nagle/delayed ACK.
 * Usage: {@code JdkHello PORT THREADS}
 */
public final class JdkHello {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 2048);
        server.createContext("/", new io.qilin.examples.Hello());
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.start();
        System.err.println("JdkHello listening on 127.0.0.1:" + port + " with " + threads + " threads");
    }
}
