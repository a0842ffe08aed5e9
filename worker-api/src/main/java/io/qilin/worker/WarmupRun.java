package io.qilin.worker;

import io.qilin.worker.protocol.WorkerEnv;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's warm-up: {@code --warmup-requests} GETs to each {@code --warmup-path}, then the
 * application's {@link Warmup} hook, all through the kind's {@link WarmupListener}, before the worker
 * reports ready. It ends by the time three quarters of {@code --boot-timeout} (at most that less 2 s)
 * have passed since the JVM started: the master counts from its spawn and reads READY on its next
 * tick, and on a starved machine (a 1 s margin was measured too short) a worker must never be killed
 * for warming up. A request or hook that fails is logged and the worker boots anyway.
 */
final class WarmupRun {
    private static final Logger log = LoggerFactory.getLogger(WarmupRun.class);
    private static final long MIN_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_READ_TIMEOUT_MILLIS = 10_000;

    /** What a warm-up did, for the boot log line and the scoreboard. */
    record Result(long millis, int sent, int failed, boolean hookRan, boolean cutShort) {
        String describe(List<String> paths) {
            return sent + " request(s) to " + String.join(" ", paths) + ", " + failed + " failed"
                    + (hookRan ? ", warm-up hook run" : "") + (cutShort ? ", cut short by --boot-timeout" : "");
        }
    }

    private final int requests;
    private final List<String> paths;
    private final String hookSpec;
    private final long deadlineNanos;

    private WarmupRun(int requests, List<String> paths, String hookSpec, long deadlineNanos) {
        this.requests = requests;
        this.paths = paths;
        this.hookSpec = hookSpec;
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * From QILIN_WARMUP_REQUESTS, QILIN_WARMUP_PATHS (space separated), QILIN_WARMUP_HOOK, QILIN_BOOT_TIMEOUT.
     * The master always sets the number (its default is in the settings); a worker run in-process
     * without it sends no warm-up requests.
     */
    static WarmupRun fromConfig(WorkerConfig config) {
        String paths = config.get(WorkerEnv.WARMUP_PATHS).trim();
        long bootNanos = TimeUnit.SECONDS.toNanos(config.getInt(WorkerEnv.BOOT_TIMEOUT));
        long sinceStart = ProcessHandle.current().info().startInstant()
                .map(t -> TimeUnit.MILLISECONDS.toNanos(Math.max(0, Instant.now().toEpochMilli() - t.toEpochMilli())))
                .orElse(0L);
        return new WarmupRun(Math.max(0, config.getInt(WorkerEnv.WARMUP_REQUESTS)),
                paths.isEmpty() ? List.of() : Arrays.asList(paths.split("\\s+")), config.get(WorkerEnv.WARMUP_HOOK),
                System.nanoTime() - sinceStart + bootNanos - Math.max(MIN_MARGIN_NANOS, bootNanos / 4));
    }

    List<String> paths() {
        return paths;
    }

    /** The hook to run: the {@code --warmup-hook} spec, else the application if it is a {@link Warmup}; or null. */
    Warmup hook(Object app, ClassLoader loader) throws AppLoadException {
        if (!hookSpec.isEmpty()) {
            return (Warmup) AppLoader.load(hookSpec, loader, List.of(Warmup.class));
        }
        return app instanceof Warmup ? (Warmup) app : null;
    }

    /** True when there is anything to do. */
    boolean wanted(Warmup hook) {
        return (requests > 0 && !paths.isEmpty()) || hook != null;
    }

    Result run(WarmupListener listener, Warmup hook) {
        long start = System.nanoTime();
        Client client = new Client(listener.address());
        int sent = 0;
        int failed = 0;
        boolean cutShort = false;
        List<String> reported = new ArrayList<>();
        requests:
        for (int i = 0; i < requests; i++) {
            for (String path : paths) {
                if (System.nanoTime() - deadlineNanos >= 0) {
                    cutShort = true;
                    break requests;
                }
                sent++;
                String failure;
                try {
                    int status = client.get(path);
                    failure = status >= 400 ? "status " + status : null;
                } catch (IOException | RuntimeException e) {
                    failure = e.toString();
                }
                if (failure != null) {
                    failed++;
                    if (!reported.contains(path)) {
                        reported.add(path); // once per path: the same failure 200 times says nothing more
                        log.warn("Warm-up request GET {} failed: {}; the worker boots anyway", path, failure);
                    }
                }
            }
        }
        boolean hookRan = false;
        if (hook != null && !cutShort) {
            hookRan = runHook(hook, client);
            cutShort = !hookRan && System.nanoTime() - deadlineNanos >= 0;
        }
        if (cutShort) {
            log.warn("Warm-up cut short by --boot-timeout after {} request(s)", sent);
        }
        return new Result(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), sent, failed, hookRan, cutShort);
    }

    /** Runs the hook on a thread of its own, so that one that hangs costs no more than the boot timeout. */
    private boolean runHook(Warmup hook, Client client) {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                hook.warmUp(client);
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "qilin-warmup-hook");
        t.setDaemon(true);
        t.start();
        try {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.warn("The warm-up hook {} did not finish within --boot-timeout; the worker boots anyway", hook.getClass().getName());
            return false;
        }
        if (failure[0] != null) {
            log.warn("The warm-up hook {} failed: {}; the worker boots anyway", hook.getClass().getName(), failure[0].toString(),
                    failure[0]);
            return false;
        }
        return true;
    }

    /** A minimal HTTP/1.1 client: one connection per request ({@code Connection: close}), read to EOF. */
    private final class Client implements Warmup.Client {
        private final InetSocketAddress address;

        Client(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public int send(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
            long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (left <= 0) {
                throw new IOException("--boot-timeout reached");
            }
            int timeout = (int) Math.min(left, MAX_READ_TIMEOUT_MILLIS);
            try (Socket s = new Socket()) {
                s.connect(address, timeout);
                s.setSoTimeout(timeout);
                StringBuilder head = new StringBuilder(128).append(method).append(' ').append(path)
                        .append(" HTTP/1.1\r\nHost: ").append(address.getHostString()).append(':').append(address.getPort())
                        .append("\r\n").append(Warmup.HEADER).append(": 1\r\nConnection: close\r\n");
                headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
                if (body.length > 0 || !method.equals("GET") && !method.equals("HEAD")) {
                    head.append("Content-Length: ").append(body.length).append("\r\n");
                }
                OutputStream out = s.getOutputStream();
                out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                return readStatus(s.getInputStream());
            }
        }

        /** The status code of the response; the rest is read and dropped, up to EOF. */
        private int readStatus(InputStream in) throws IOException {
            byte[] buf = new byte[8192];
            int len = 0;
            int n;
            while ((n = in.read(buf, len, buf.length - len)) > 0) {
                len += n;
                if (len == buf.length) {
                    break;
                }
            }
            String first = new String(buf, 0, len, StandardCharsets.ISO_8859_1);
            int eol = first.indexOf("\r\n");
            String[] status = (eol < 0 ? first : first.substring(0, eol)).split(" ", 3);
            if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP response: " + (first.isEmpty() ? "(connection closed)" : status[0]));
            }
            while (in.read(buf) >= 0) {
                // the rest of the body
            }
            try {
                return Integer.parseInt(status[1]);
            } catch (NumberFormatException e) {
                throw new IOException("bad status line: " + first.substring(0, Math.max(0, eol)), e);
            }
        }
    }
}
