package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The example service against a real PostgreSQL (see {@link PostgresServer}): under a write load where
 * each request inserts a row with an id the client chose, three HUPs, max-requests recycling and a TERM
 * at the end lose nothing: every request answered 2xx has its row, no id has two rows, no request got a
 * 5xx; and each retired worker has closed its pool (its connections, named after its pid, leave
 * pg_stat_activity), so only the live workers hold connections.
 */
class TodoServiceDatabaseIT {
    private static final Duration BOOT = Duration.ofMinutes(3);
    private static final int CLIENTS = 4;
    private static final int RELOADS = 3;
    private static final Pattern CONNECTION_PID = Pattern.compile("todo-service pid (\\d+)");

    private final Set<String> answered2xx = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger serverErrors = new AtomicInteger();
    private final AtomicInteger otherStatuses = new AtomicInteger();
    private final AtomicInteger failedConnections = new AtomicInteger();
    private final List<String> problems = new ArrayList<>();

    @Test
    void reloadsRecyclingAndStopLoseNoWriteAndLeaveNoConnectionBehind() throws Exception {
        try (PostgresServer db = PostgresServer.start()) {
            int port = Qilin.freePort();
            try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-k", "gthread", "-w", "2", "--threads", "4",
                    "--max-requests", "300", "--max-requests-jitter", "50", "--boot-timeout", "180",
                    "--graceful-timeout", "60", "-e", "TODO_DATABASE_URL=" + db.jdbcUrl(), "-e", "TODO_POOL_SIZE=3",
                    "--classpath", Qilin.HOME.resolve("examples/todo-service") + "/*",
                    "io.qilin.examples.todo.TodoService")) {
                q.awaitReadyWorkers(2, BOOT);
                assertThat(Http.get(port, "/healthz").body).isEqualTo("ok\n");

                AtomicBoolean writing = new AtomicBoolean(true);
                CountDownLatch done = new CountDownLatch(CLIENTS);
                for (int c = 0; c < CLIENTS; c++) {
                    String client = "client" + c;
                    Thread t = new Thread(() -> {
                        try {
                            for (int n = 0; writing.get(); n++) {
                                put(port, client + "-" + n);
                            }
                        } finally {
                            done.countDown();
                        }
                    }, client);
                    t.setDaemon(true);
                    t.start();
                }
                await().atMost(BOOT).until(() -> requests.get() >= 50);
                for (int generation = 2; generation <= RELOADS + 1; generation++) {
                    q.signal("HUP");
                    q.awaitLog("Reload complete: generation " + generation + " is serving", BOOT);
                    await().atMost(BOOT).until(() -> requests.get() >= 50);
                }
                // max-requests: a worker of the last generation serves its share and is replaced under the
                // load (old workers may also reach it while a reload retires them; those are not replaced)
                long restartsBefore = q.count("Recycling worker \\(pid:\\d+\\): it served its --max-requests");
                long poolsBefore = q.count("todo-service: pool todo-\\d+ open");
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                        .until(() -> q.count("Recycling worker \\(pid:\\d+\\): it served its --max-requests") > restartsBefore
                                && q.count("todo-service: pool todo-\\d+ open") > poolsBefore);
                q.awaitReadyWorkers(2, BOOT);
                int beforeRecycle = requests.get();
                await().atMost(BOOT).until(() -> requests.get() >= beforeRecycle + 50);

                // only live workers hold connections: each old worker closed its pool once it had drained
                await().atMost(BOOT).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> assertThat(connectionPids(db)).isNotEmpty()
                                .isSubsetOf(q.workerPids()));
                Set<Long> holdingBeforeStop = connectionPids(db);
                List<Long> live = q.workerPids();

                writing.set(false);
                done.await();
                q.signal("TERM");
                assertThat(q.awaitExit(BOOT)).isZero();
                await().atMost(Duration.ofSeconds(30)).until(() -> connectionPids(db).isEmpty());

                int rows = countRows(db);
                Set<String> missing = missingRows(db);
                long poolsOpened = q.count("todo-service: pool todo-\\d+ open");
                long poolsClosed = q.count("todo-service: pool todo-\\d+ closed");
                System.out.printf("TodoServiceDatabaseIT: %d requests, %d answered 2xx, %d rows, %d missing, "
                        + "%d answered 5xx, %d other statuses, %d connections failed; %d reloads, %d max-requests "
                        + "restarts, %d pools opened, %d closed; connections before the stop held by %s, "
                        + "live workers %s%n", requests.get(), answered2xx.size(), rows, missing.size(),
                        serverErrors.get(), otherStatuses.get(), failedConnections.get(), RELOADS,
                        q.count("Recycling worker \\(pid:\\d+\\): it served its --max-requests"), poolsOpened, poolsClosed, holdingBeforeStop, live);

                assertThat(serverErrors.get()).as("5xx answers: " + problems).isZero();
                assertThat(failedConnections.get()).as("requests with no answer: " + problems).isZero();
                assertThat(otherStatuses.get()).as("answers other than 201: " + problems).isZero();
                assertThat(missing).as("ids answered 2xx without a row").isEmpty();
                assertThat(duplicateIds(db)).as("ids with more than one row").isZero();
                assertThat(rows).isEqualTo(answered2xx.size());
                assertThat(poolsOpened).as("a pool per worker: 2 at first, 2 per reload, 1 or more after max-requests")
                        .isGreaterThanOrEqualTo(2 + 2 * RELOADS + 1);
                assertThat(poolsClosed).as("every worker closed the pool it opened").isEqualTo(poolsOpened);
            }
        }
    }

    /** One PUT on a new connection; records what came back. */
    private void put(int port, String id) {
        requests.incrementAndGet();
        byte[] body = ("write " + id).getBytes(StandardCharsets.UTF_8);
        String head = "PUT /todos/" + id + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 120_000);
            s.setSoTimeout(120_000); // a request may wait in the listen queue while workers boot
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            int status = status(s.getInputStream());
            if (status >= 200 && status < 300) {
                answered2xx.add(id);
                if (status != 201) {
                    otherStatuses.incrementAndGet();
                    problem(id + ": " + status);
                }
            } else if (status >= 500) {
                serverErrors.incrementAndGet();
                problem(id + ": " + status);
            } else {
                otherStatuses.incrementAndGet();
                problem(id + ": " + status);
            }
        } catch (IOException e) {
            failedConnections.incrementAndGet();
            problem(id + ": " + e);
        }
    }

    private synchronized void problem(String what) {
        if (problems.size() < 20) {
            problems.add(what);
        }
    }

    /** The status of a response read to its end (the server closes). */
    private static int status(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        String response = all.toString(StandardCharsets.ISO_8859_1);
        if (!response.startsWith("HTTP/1.1 ")) {
            throw new IOException("no HTTP response: '" + response + "'");
        }
        return Integer.parseInt(response.substring(9, 12));
    }

    /** The pids of the workers holding connections, from the application_name each one gives its pool. */
    private static Set<Long> connectionPids(PostgresServer db) throws SQLException {
        Set<Long> pids = new HashSet<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT application_name FROM pg_stat_activity "
                        + "WHERE application_name LIKE 'todo-service pid %'")) {
            while (r.next()) {
                Matcher m = CONNECTION_PID.matcher(r.getString(1));
                if (m.matches()) {
                    pids.add(Long.parseLong(m.group(1)));
                }
            }
        }
        return pids;
    }

    private static int countRows(PostgresServer db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM todo")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static int duplicateIds(PostgresServer db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM (SELECT id FROM todo GROUP BY id HAVING count(*) > 1) d")) {
            r.next();
            return r.getInt(1);
        }
    }

    private Set<String> missingRows(PostgresServer db) throws SQLException {
        Set<String> missing = new HashSet<>(answered2xx);
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT id FROM todo");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                missing.remove(r.getString(1));
            }
        }
        return missing;
    }
}
