package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master side of rolling deploys on the real distribution: recycling at {@code --max-requests}
 * with the replacement started first and one worker out at a time, and a reload in batches of one.
 * The worker count is watched through the metrics endpoint (the same status {@code qilin ctl status}
 * prints), scraped every 50 ms while the load runs.
 */
class RollingIT {

    @Test
    void maxRequestsRecyclingUnderLoadNeverTakesAWorkerAwayAndLosesNoRequest(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("m.ctl");
        int metricsPort = Qilin.freePort();
        try (Qilin q = Qilin.serving(2, "--max-requests", "200", "--max-recycling", "1",
                "--control-socket", socket.toString(), "--metrics-bind", "127.0.0.1:" + metricsPort);
                LoadClient load = LoadClient.start(q.port, 4, "/pid", r -> r.status == 200)) {
            AtomicInteger minServing = new AtomicInteger(Integer.MAX_VALUE);
            AtomicInteger maxOut = new AtomicInteger();
            AtomicInteger scrapes = new AtomicInteger();
            AtomicReference<String> worst = new AtomicReference<>();
            Thread watcher = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        String m = Http.get(metricsPort, "/metrics").body;
                        int serving = (int) (gauge(m, "ready") + gauge(m, "recycling"));
                        int out = (int) (gauge(m, "recycling") + gauge(m, "retiring") + gauge(m, "draining"));
                        if (serving < minServing.get()) {
                            minServing.set(serving);
                            worst.set(m);
                        }
                        maxOut.accumulateAndGet(out, Math::max);
                        scrapes.incrementAndGet();
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    } catch (IOException e) {
                        // the metrics endpoint busy for a moment: the next scrape counts
                    }
                }
            });
            watcher.start();
            try {
                await().atMost(Duration.ofMinutes(5)).until(() -> q.count("Recycling worker \\(pid:\\d+\\): it served its --max-requests") >= 4
                        && q.count("has been replaced \\(max_requests\\); stopping it") >= 4);
            } finally {
                watcher.interrupt();
                watcher.join();
                load.stop();
            }
            long recycled = q.count("has been replaced \\(max_requests\\)");
            System.out.println("RollingIT max-requests: " + load + ", recycled " + recycled + ", scrapes " + scrapes
                    + ", fewest serving " + minServing + ", most out at once " + maxOut);
            assertThat(load.failed()).as(load.toString()).isZero();
            assertThat(scrapes.get()).isGreaterThan(10);
            assertThat(minServing.get()).as("fewest workers serving; the scrape:\n%s", worst.get()).isGreaterThanOrEqualTo(2);
            assertThat(maxOut.get()).isLessThanOrEqualTo(1);
            // each recycled worker was stopped after its replacement was ready: never by its own max-requests exit
            assertThat(q.log()).doesNotContain("Autorestarting worker").doesNotContain("has not replaced this worker");

            String json = ctl(socket, "status", "--json");
            Matcher n = Pattern.compile("\"recycles\":\\{\"max_requests\":(\\d+),\"memory\":0,").matcher(json);
            assertThat(n.find()).as(json).isTrue();
            assertThat(Long.parseLong(n.group(1))).isGreaterThanOrEqualTo(recycled);
            assertThat(ctl(socket, "status")).containsPattern("Recycled workers: max_requests=\\d+ memory=0 ");
            assertThat(gauge(Http.get(metricsPort, "/metrics").body, "qilin_worker_recycles_total", "cause", "max_requests"))
                    .isGreaterThanOrEqualTo(recycled);
        }
    }

    @Test
    void aReloadInBatchesOfOneReplacesTheWorkersOneAfterTheOther(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("m.ctl");
        try (Qilin q = Qilin.serving(3, "--reload-batch", "1", "--control-socket", socket.toString())) {
            List<Long> old = q.workerPids();

            String progress = ctl(socket, "reload", "--wait");

            assertThat(progress).contains("Reload complete: generation 2 is serving (3 workers)");
            List<Integer> reported = indexes(progress, "generation 2, batch (\\d) of 3:");
            assertThat(reported).as(progress).isSorted();
            assertThat(reported.stream().distinct()).as(progress).containsExactly(1, 2, 3);
            String log = q.log();
            assertThat(indexes(log, "Reload: generation 2, batch (\\d) of 3: started 1 worker\\(s\\)")).containsExactly(1, 2, 3);
            // between two batches' starts: the earlier batch's worker ready, then one old worker retired
            Matcher starts = Pattern.compile("Reload: generation 2, batch \\d of 3").matcher(log);
            List<Integer> at = new ArrayList<>();
            while (starts.find()) {
                at.add(starts.start());
            }
            for (int i = 1; i < at.size(); i++) {
                String between = log.substring(at.get(i - 1), at.get(i));
                assertThat(between).containsPattern("Worker \\(pid:\\d+\\) is ready[\\s\\S]*Retiring worker \\(pid:\\d+, generation 1\\)");
                assertThat(Pattern.compile("Retiring worker \\(pid:\\d+, generation 1\\)").matcher(between).results().count())
                        .isEqualTo(1);
            }
            List<Long> now = q.awaitReadyWorkers(3);
            assertThat(now).doesNotContainAnyElementsOf(old);
        }
    }

    @Test
    void aWorkerOverMaxWorkerMemoryIsReplacedReplacementFirst(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("m.ctl");
        // every JVM's RSS is above 1 MB: each worker is recycled once it has been over for 3 checks
        try (Qilin q = Qilin.serving(2, "--max-worker-memory", "1m", "--control-socket", socket.toString())) {
            Matcher first = q.awaitLog("Recycling worker \\(pid:(\\d+)\\): its resident memory stayed above "
                    + "--max-worker-memory 1048576 bytes for 3 checks; starting its replacement first");
            String pid = first.group(1);
            Matcher replaced = q.awaitLog("Worker \\(pid:" + pid + "\\) has been replaced \\(memory\\); stopping it");
            String log = q.log();
            String during = log.substring(first.end(), replaced.start());
            assertThat(during).containsPattern("Spawned worker \\(pid:(\\d+)[\\s\\S]*Worker \\(pid:\\d+\\) is ready");
            assertThat(Http.get(q.port, "/pid").status).isEqualTo(200);
            String json = ctl(socket, "status", "--json");
            Matcher n = Pattern.compile("\"memory\":(\\d+)").matcher(json);
            assertThat(n.find()).as(json).isTrue();
            assertThat(Long.parseLong(n.group(1))).isPositive();
        }
    }

    /** The numbers group 1 of {@code regex} captures, in order. */
    private static List<Integer> indexes(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<Integer> out = new ArrayList<>();
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    private static long gauge(String metrics, String state) {
        return gauge(metrics, "qilin_workers", "state", state);
    }

    private static long gauge(String metrics, String name, String label, String value) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{" + label + "=\"" + value + "\"\\} (\\d+)$").matcher(metrics);
        if (!m.find()) {
            throw new AssertionError("no " + name + "{" + label + "=\"" + value + "\"} in\n" + metrics);
        }
        return Long.parseLong(m.group(1));
    }

    /** {@code bin/qilin ctl --socket SOCKET ARGS}: its output; fails unless it exits 0. */
    private static String ctl(Path socket, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Qilin.HOME.resolve("bin/qilin").toString(), "ctl", "--socket",
                socket.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("ctl", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish: " + Files.readString(out));
            }
            String text = Files.readString(out);
            assertThat(p.exitValue()).as(cmd + ": " + text).isZero();
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
