package io.qilin.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/2 load from one JDK {@code HttpClient}, run as a process of its own so that it can run on a JDK
 * whose client handles GOAWAY (JDK 24+, JDK-8335181): JDK 17's fails every stream open on the connection
 * when a GOAWAY arrives, even a graceful one. {@code Http2LoadClient URL THREADS} sends GET URL from
 * THREADS threads until its stdin ends; it prints {@code ok=N http2=N failed=N} every 50 answers and
 * at the end, and {@code FAILED reason} for each failed request.
 */
public final class Http2LoadClient {
    private Http2LoadClient() {
    }

    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0])).timeout(Duration.ofSeconds(30)).GET().build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ok = new AtomicLong();
        AtomicLong http2 = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    String failure = null;
                    try {
                        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            failure = "status " + r.statusCode();
                        } else if (r.version() == HttpClient.Version.HTTP_2) {
                            http2.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failure = e.toString();
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (failure != null) {
                        failed.incrementAndGet();
                        System.out.println("FAILED " + failure);
                    } else if (ok.incrementAndGet() % 50 == 0) {
                        report(ok, http2, failed);
                    }
                }
            });
            t.start();
            senders.add(t);
        }
        while (System.in.read() >= 0) {
            // until the test closes our stdin
        }
        running.set(false);
        for (Thread t : senders) {
            t.join(60_000);
        }
        report(ok, http2, failed);
        System.exit(0);
    }

    private static synchronized void report(AtomicLong ok, AtomicLong http2, AtomicLong failed) {
        System.out.println("ok=" + ok.get() + " http2=" + http2.get() + " failed=" + failed.get());
    }
}
