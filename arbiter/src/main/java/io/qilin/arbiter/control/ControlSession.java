package io.qilin.arbiter.control;

import io.qilin.arbiter.settings.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One {@code qilin ctl} connection: JSON lines, one request object per line; for each, zero or more
 * event lines ({@code {"event":...}}) and then one final line carrying {@code "ok"}. See
 * {@link #COMMANDS}; the README's "Control" section shows every exchange.
 */
final class ControlSession {
    static final List<String> COMMANDS = List.of("status", "reload", "scale", "kill", "dump", "reopen", "stop");
    /** The longest request line accepted. */
    static final int MAX_LINE = 64 * 1024;
    /** How long the workers get to write the thread dumps {@code dump} asked for. */
    static final long DUMP_WAIT_MILLIS = 10_000;
    private static final long POLL_MILLIS = 50;
    /** File times may lag the clock a little (coarse kernel ticks). */
    private static final long STALE_SLACK_MILLIS = 1000;

    private final ControlServer server;
    private final InputStream in;
    private final OutputStream out;

    ControlSession(ControlServer server, SocketChannel channel) {
        this.server = server;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
    }

    void run() throws IOException {
        String line;
        while ((line = readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            try {
                handle(Json.parseObject(line));
            } catch (ControlException | IllegalArgumentException e) {
                fail(e.getMessage(), fields());
            }
        }
    }

    private void handle(Map<String, Object> request) throws IOException {
        String command = String.valueOf(request.get("command"));
        switch (command) {
            case "status":
                ok(server.onLoop("status", ControlTarget::refreshStatus).toJson());
                break;
            case "reload":
                reload(Boolean.TRUE.equals(request.get("wait")));
                break;
            case "scale":
                Scale scale = Scale.parse(request.get("workers") == null ? null : request.get("workers").toString());
                int n = server.onLoop("scale " + scale, t -> t.scale(scale));
                ok(fields("workers", n, "message", "Number of workers: " + n));
                break;
            case "kill":
                long pid = pid(request, true);
                server.onLoop("kill " + pid, t -> {
                    t.retireWorker(pid);
                    return null;
                });
                ok(fields("pid", pid, "message", "Worker " + pid + " was sent TERM; a new worker replaces it"));
                break;
            case "dump":
                dump(pid(request, false));
                break;
            case "reopen":
                server.onLoop("reopen", t -> {
                    t.reopenLogs();
                    return null;
                });
                ok(fields("message", "Reopening the log files of the master and every worker"));
                break;
            case "stop":
                boolean quick = Boolean.TRUE.equals(request.get("quick"));
                server.onLoop(quick ? "stop --quick" : "stop", t -> {
                    t.requestStop(!quick);
                    return null;
                });
                // the master closes this connection once it has stopped: the caller may wait for that
                ok(fields("message", quick ? "Stopping now (quick)" : "Stopping gracefully"));
                break;
            default:
                throw new ControlException("unknown command '" + command + "'; the commands are "
                        + String.join(", ", COMMANDS));
        }
    }

    /** Starts a reload; with {@code wait}, reports progress until the new generation is up or rolled back. */
    private void reload(boolean wait) throws IOException {
        int generation = server.onLoop("reload", ControlTarget::startReload);
        String started = "Reloading: generation " + generation + " is starting";
        if (!wait) {
            ok(fields("generation", generation, "message", started));
            return;
        }
        progress(started);
        String last = null;
        while (true) {
            pause(100);
            MasterStatus s = server.board().latest();
            History.Reload end = s == null ? null : s.history().reloadOf(generation);
            if (end != null && end.outcome().equals("superseded")) {
                progress(end.message());
                generation = end.next();
            } else if (end != null) {
                Map<String, Object> body = fields("generation", generation, "outcome", end.outcome());
                if (end.outcome().equals("complete")) {
                    ok(with(body, "message", end.message()));
                } else {
                    fail(end.message(), body);
                }
                return;
            } else if (s != null) {
                String now = progressOf(s, generation);
                if (!now.equals(last)) {
                    progress(now);
                    last = now;
                }
            }
        }
    }

    /** {@code generation 4, batch 2 of 3: 1 of 3 workers ready; 2 old workers still running}. */
    static String progressOf(MasterStatus s, int generation) {
        long ready = s.workers().stream().filter(w -> w.generation() == generation && w.serving()).count();
        long old = s.workers().stream().filter(w -> w.generation() != generation).count();
        int batch = Settings.reloadBatch(parseOrZero(s.setting("reload_batch")), s.workersWanted());
        int batches = Settings.reloadBatches(batch, s.workersWanted());
        return "generation " + generation + ", batch " + Settings.reloadBatchOf(ready, batch, batches) + " of " + batches
                + ": " + ready + " of " + s.workersWanted() + " workers ready"
                + (old == 0 ? "" : "; " + old + " old worker" + (old == 1 ? "" : "s") + " still running");
    }

    private static int parseOrZero(String n) {
        try {
            return n == null ? 0 : Integer.parseInt(n.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Asks for thread dumps and sends each back as it arrives, as a {@code dump} event. */
    private void dump(long pid) throws IOException {
        long askedAt = System.currentTimeMillis() - STALE_SLACK_MILLIS;
        Map<Long, Path> files = server.onLoop(pid == 0 ? "dump" : "dump " + pid, t -> t.requestThreadDumps(pid));
        Map<Long, Optional<String>> users = new LinkedHashMap<>();
        files.keySet().forEach(p -> users.put(p, ProcessHandle.of(p).flatMap(h -> h.info().user())));
        List<Long> done = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DUMP_WAIT_MILLIS);
        while (done.size() < files.size() && System.nanoTime() - deadline < 0) {
            for (Map.Entry<Long, Path> f : files.entrySet()) {
                if (!done.contains(f.getKey()) && writtenSince(f.getValue(), askedAt)) {
                    String text = readDump(f.getValue(), users.get(f.getKey()));
                    done.add(f.getKey());
                    send(fields("event", "dump", "pid", f.getKey(), "dump", text));
                }
            }
            if (done.size() < files.size()) {
                pause(POLL_MILLIS);
            }
        }
        List<Long> missing = new ArrayList<>(files.keySet());
        missing.removeAll(done);
        if (missing.isEmpty()) {
            ok(fields("dumped", done, "message", "Thread dumps of " + done.size() + " worker(s)"));
        } else {
            fail("no thread dump from worker(s) " + missing + " within " + DUMP_WAIT_MILLIS / 1000
                    + " s; see their log", fields("dumped", done, "missing", missing));
        }
    }

    /** A regular file written since {@code millis}: a dump left by an earlier request that gave up is not this one. */
    private static boolean writtenSince(Path file, long millis) {
        try {
            return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    && Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis() >= millis;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads and removes a dump file, if the worker it names wrote it (the tmp dir may be shared). */
    private static String readDump(Path file, Optional<String> workerUser) throws IOException {
        try {
            String owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
            if (workerUser.isPresent() && !workerUser.get().equals(owner)) {
                return "(not read: " + file + " belongs to " + owner + ", not to the worker's user " + workerUser.get() + ")";
            }
            try (var in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {   // the run directory is the workers'
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static long pid(Map<String, Object> request, boolean required) {
        Object v = request.get("pid");
        if (v == null && !required) {
            return 0;
        }
        if (!(v instanceof Long) || (Long) v <= 0) {
            throw new ControlException("'pid' must be a process id, not " + v);
        }
        return (Long) v;
    }

    private void progress(String message) throws IOException {
        send(fields("event", "progress", "message", message));
    }

    private void ok(Map<String, Object> body) throws IOException {
        send(with(fields("ok", true), body));
    }

    private void fail(String error, Map<String, Object> body) throws IOException {
        send(with(with(fields("ok", false), body), "error", error));
    }

    /** A JSON object's fields in the order given: {@code fields("ok", true, "message", "...")}. */
    private static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> with(Map<String, Object> head, Map<String, Object> tail) {
        Map<String, Object> m = new LinkedHashMap<>(head);
        m.putAll(tail);
        return m;
    }

    private static Map<String, Object> with(Map<String, Object> head, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(head);
        m.put(key, value);
        return m;
    }

    private void send(Map<String, Object> message) throws IOException {
        out.write((Json.write(message) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One line without its newline; null at the end. Longer than {@link #MAX_LINE} ends the session. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (line.size() >= MAX_LINE) {
                fail("request longer than " + MAX_LINE + " bytes", fields());
                return null;
            }
            line.write(b);
        }
        return b == -1 && line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    private void pause(long millis) throws IOException {
        if (server.closed()) {
            throw new IOException("the master is stopping");
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
