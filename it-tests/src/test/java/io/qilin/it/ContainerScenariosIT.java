package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.MountableFile;

/**
 * The scenarios against the image of {@code distribution/src/docker/Dockerfile}, built from the
 * unpacked distribution, with the master as the container's PID 1 (no {@code --init}) and the signals
 * sent through the Docker API, as {@code docker kill -s} and {@code docker stop} send them: S1, S2
 * (USR2, backed out: in a container the old master is PID 1), S8, S9 and S16. Skips itself when no
 * Docker engine answers; {@link Pid1NamespaceIT} covers S16 without Docker.
 */
class ContainerScenariosIT {
    private static final Path DOCKER = Qilin.HOME.resolve("../../src/docker").normalize();
    private static final int PORT = 8000;
    private static final Duration START = Duration.ofMinutes(3);
    private static final Duration EXIT = Duration.ofSeconds(60);
    /** The master's own lines: it is PID 1. */
    private static final String MASTER = "\\[1\\] ";

    private static ImageFromDockerfile image;
    /** Why the scenarios cannot run here, or null. */
    private static String skipReason;

    @BeforeAll
    static void dockerAnswers() {
        quietLogging();
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            skipReason = "no Docker engine answers (Pid1NamespaceIT runs S16 without Docker)";
            return;
        }
        String host = DockerClientFactory.instance().dockerHostIpAddress();
        if (!host.equals("localhost") && !host.startsWith("127.")) {
            skipReason = "the Docker engine is on " + host + ": the load client only talks to the loopback address";
            return;
        }
        // the same layout as `docker build -f distribution/src/docker/Dockerfile distribution`
        image = new ImageFromDockerfile("localhost/qilin-it", true)
                .withFileFromPath("Dockerfile", DOCKER.resolve("Dockerfile"))
                .withFileFromPath("target/qilin", Qilin.HOME);
    }

    @BeforeEach
    void needsDocker() {
        assumeTrue(skipReason == null, skipReason);
    }

    @Test
    void hupTtinTtouUnderLoadLoseNothingAndKill9LosesAtMostTheAcceptedRequest() throws Exception {   // S1
        try (GenericContainer<?> c = serving(2, "io.qilin.examples.TestApp");
                LoadClient load = LoadClient.start(port(c), 8, "/pid", r -> r.status == 200)) {
            load.awaitMoreSuccesses(300);
            for (int generation = 2; generation <= 4; generation++) {
                signal(c, "HUP");
                awaitLog(c, MASTER + "\\[INFO\\] Reload complete: generation " + generation + " is serving");
                load.awaitMoreSuccesses(300);
            }
            signal(c, "TTIN");
            awaitWorkers(c, 3);
            load.awaitMoreSuccesses(300);
            signal(c, "TTOU");
            awaitWorkers(c, 2);
            load.awaitMoreSuccesses(Math.max(300, 3000 - load.successes()));   // S1's volume, however fast the steps
            load.stop();
            System.out.println("S1 in a container, HUP x3, TTIN, TTOU: " + load);
            assertThat(load.successes()).isGreaterThanOrEqualTo(3000);
            assertThat(load.failed()).as(load.toString()).isZero();

            try (LoadClient afterKill = LoadClient.start(port(c), 8, "/pid", r -> r.status == 200)) {
                afterKill.awaitMoreSuccesses(200);
                long worker = workers(c).get(0);
                exec(c, "kill -KILL " + worker);
                awaitLog(c, "Worker \\(pid:" + worker + "\\) was sent SIGKILL");
                awaitWorkers(c, 2);
                afterKill.awaitMoreSuccesses(300);
                afterKill.stop();
                System.out.println("S1 in a container, kill -9 of one worker: " + afterKill);
                assertThat(afterKill.failed()).as(afterKill.toString()).isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void usr2UnderLoadThenBackOutLosesNothing() throws Exception {   // S2-lite, S3
        try (GenericContainer<?> c = serving(2, "io.qilin.examples.TestApp");
                LoadClient load = LoadClient.start(port(c), 8, "/pid", r -> r.status == 200)) {
            load.awaitMoreSuccesses(300);
            signal(c, "USR2");
            long newMaster = Long.parseLong(awaitLog(c, "Upgrading: started a new master \\(pid:(\\d+)\\)").group(1));
            await().atMost(START).until(() -> count(c, "\\[" + newMaster + "\\] \\[DEBUG\\] Worker \\(pid:\\d+\\) is ready") >= 2);
            load.awaitMoreSuccesses(300);
            // Stopping the old master would stop the container (it is PID 1): a container is upgraded
            // by a new image, so only the backing out is checked here.
            exec(c, "kill -TERM " + newMaster);
            awaitLog(c, MASTER + "\\[INFO\\] The new master \\(pid:" + newMaster + "\\) exited: exit code 0");
            load.awaitMoreSuccesses(300);
            load.stop();
            System.out.println("S2-lite in a container, USR2 then TERM the new master: " + load);
            assertThat(load.failed()).as(load.toString()).isZero();
            assertThat(workers(c)).hasSize(2);
        }
    }

    @Test
    void dockerStopLetsRequestsInFlightFinishAndExits0() throws Exception {   // S8
        try (GenericContainer<?> c = serving(4, "io.qilin.examples.TestApp")) {
            int port = port(c);
            List<CompletableFuture<Http.Response>> inFlight = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                inFlight.add(CompletableFuture.supplyAsync(() -> get(port, "/sleep?s=2")));
            }
            await().atMost(START).until(() -> count(c, "TestApp: /sleep\\?s=2 started") == 4);
            signal(c, "TERM");   // what docker stop sends first (STOPSIGNAL)
            for (CompletableFuture<Http.Response> f : inFlight) {
                assertThat(f.get().status).isEqualTo(200);
            }
            assertThat(awaitExit(c)).isZero();
            assertThat(c.getLogs()).contains("[1] [INFO] Handling signal: term").contains("[1] [INFO] Shutting down: Master")
                    .doesNotContain("still running after");
        }
    }

    @Test
    void intStopsAtOnceAndExits0() throws Exception {   // S9
        try (GenericContainer<?> c = serving(2, "--graceful-timeout", "120", "io.qilin.examples.TestApp")) {
            int port = port(c);
            CompletableFuture.runAsync(() -> {
                try {
                    Http.get(port, "/hang");
                } catch (IOException expected) {
                    // cut by the quick stop
                }
            });
            await().atMost(START).until(() -> count(c, "TestApp: /hang started") == 1);
            signal(c, "INT");
            assertThat(awaitExit(c)).isZero();   // long before the 120 s a graceful stop would wait
            assertThat(c.getLogs()).contains("[1] [INFO] Handling signal: int");
        }
    }

    @Test
    void pid1ReapsOrphansAndHonoursPortAndWebConcurrency() throws Exception {   // S16
        // no warm-up: each request of OrphanApp starts a process
        try (GenericContainer<?> c = container(2, "--warmup-requests", "0", "--classpath", "/opt/it-classes",
                "io.qilin.it.apps.OrphanApp")
                .withCopyFileToContainer(MountableFile.forHostPath(Qilin.TEST_CLASSES), "/opt/it-classes")
                .withEnv("PORT", "8080").withExposedPorts(8080)) {
            c.start();
            int port = c.getMappedPort(8080);
            assertThat(c.getLogs()).contains("[1] [INFO] Listening at: http://0.0.0.0:8080 (1)");
            assertThat(workers(c)).hasSize(2);
            List<Long> orphans = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                orphans.add(Long.parseLong(get(port, "/?s=0.1").body.trim()));
            }
            for (long orphan : orphans) {
                awaitLog(c, MASTER + "\\[DEBUG\\] Reaped unknown child process \\(pid:" + orphan + ", ");
            }
            assertThat(processes(c).stream().filter(p -> p.ppid == 1 && p.state.equals("Z")).collect(Collectors.toList()))
                    .as("zombies").isEmpty();
            signal(c, "TERM");
            assertThat(awaitExit(c)).isZero();
        }
    }

    @Test
    void appLoadFailureExitCode4IsTheContainersExitCode() {   // S16, S6
        try (GenericContainer<?> c = new GenericContainer<>(image)
                .withCopyFileToContainer(MountableFile.forHostPath(Qilin.TEST_CLASSES), "/opt/it-classes")
                .withCommand("--classpath", "/opt/it-classes", "io.qilin.it.apps.ThrowingApp")
                .withStartupCheckStrategy(new UntilExited().withTimeout(START))
                .waitingFor(new NoWait())) {
            c.start();
            assertThat(awaitExit(c)).isEqualTo(4);
            assertThat(c.getLogs()).contains("[1] [ERROR] Reason: App failed to load.");
        }
    }

    // ---- containers

    /** A container of the image running {@code args} with {@code workers} workers (WEB_CONCURRENCY); not started. */
    private static GenericContainer<?> container(int workers, String... args) {
        List<String> command = new ArrayList<>(List.of("--log-level", "debug"));
        command.addAll(List.of(args));
        return new GenericContainer<>(image)
                .withEnv("WEB_CONCURRENCY", Integer.toString(workers))
                .withCommand(command.toArray(new String[0]))
                .waitingFor(Wait.forLogMessage(".*" + MASTER + "\\[DEBUG\\] Worker \\(pid:\\d+\\) is ready.*", workers)
                        .withStartupTimeout(START));
    }

    /** Started, on the image's default PORT, every worker ready. */
    private static GenericContainer<?> serving(int workers, String... args) {
        GenericContainer<?> c = container(workers, args).withExposedPorts(PORT);
        c.start();
        return c;
    }

    private static int port(GenericContainer<?> c) {
        return c.getMappedPort(PORT);
    }

    /** {@code docker kill -s NAME}: to PID 1, the master. */
    private static void signal(GenericContainer<?> c, String name) {
        c.getDockerClient().killContainerCmd(c.getContainerId()).withSignal(name).exec();
    }

    private static long awaitExit(GenericContainer<?> c) {
        DockerClient docker = c.getDockerClient();
        docker.waitContainerCmd(c.getContainerId()).start().awaitStatusCode(EXIT.toSeconds(), TimeUnit.SECONDS);
        Long code = docker.inspectContainerCmd(c.getContainerId()).exec().getState().getExitCodeLong();
        return code == null ? -1 : code;
    }

    private static Matcher awaitLog(GenericContainer<?> c, String regex) {
        Pattern p = Pattern.compile(regex);
        Matcher[] found = new Matcher[1];
        await().atMost(START).pollInterval(Duration.ofMillis(200)).alias("log line /" + regex + "/").until(() -> {
            Matcher m = p.matcher(c.getLogs());
            if (m.find()) {
                found[0] = m;
                return true;
            }
            return false;
        });
        return found[0];
    }

    private static long count(GenericContainer<?> c, String regex) {
        Matcher m = Pattern.compile(regex).matcher(c.getLogs());
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Runs a shell command in the container, as its user (the master's and the workers' uid). */
    private static String exec(GenericContainer<?> c, String script) throws IOException, InterruptedException {
        Container.ExecResult r = c.execInContainer("sh", "-c", script);
        assertThat(r.getExitCode()).as(script + ": " + r.getStderr()).isZero();
        return r.getStdout();
    }

    /** A process of the container's PID namespace, from /proc/PID/stat. */
    private static final class Proc {
        final long pid;
        final String comm;
        final String state;
        final long ppid;

        Proc(String statLine) {
            pid = Long.parseLong(statLine.substring(0, statLine.indexOf(' ')));
            comm = statLine.substring(statLine.indexOf('(') + 1, statLine.lastIndexOf(')'));
            String[] rest = statLine.substring(statLine.lastIndexOf(')') + 2).split(" ");
            state = rest[0];
            ppid = Long.parseLong(rest[1]);
        }
    }

    private static List<Proc> processes(GenericContainer<?> c) throws IOException, InterruptedException {
        // the JRE image has no ps; /proc is enough (processes gone meanwhile are skipped by cat)
        String out = c.execInContainer("sh", "-c", "cat /proc/[0-9]*/stat 2>/dev/null").getStdout();
        return out.lines().filter(l -> !l.isBlank()).map(Proc::new).collect(Collectors.toList());
    }

    /** The master's live worker JVMs, by their pid in the container. */
    private static List<Long> workers(GenericContainer<?> c) throws IOException, InterruptedException {
        return processes(c).stream().filter(p -> p.ppid == 1 && p.comm.equals("java") && !p.state.equals("Z"))
                .map(p -> p.pid).sorted().collect(Collectors.toList());
    }

    /** Waits until exactly {@code n} workers are alive and the master has logged each one ready. */
    private static void awaitWorkers(GenericContainer<?> c, int n) {
        await().atMost(START).pollInterval(Duration.ofMillis(200)).alias(n + " ready workers in the container")
                .until(() -> {
                    List<Long> alive = workers(c);
                    return alive.size() == n && readyPids(c).containsAll(alive);
                });
    }

    private static List<Long> readyPids(GenericContainer<?> c) {
        Matcher m = Pattern.compile(MASTER + "\\[DEBUG\\] Worker \\(pid:(\\d+)\\) is ready").matcher(c.getLogs());
        List<Long> out = new ArrayList<>();
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** The container may exit before anything is awaited: it is started once it stopped running. */
    private static final class UntilExited extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient docker, String containerId) {
            return Boolean.TRUE.equals(getCurrentState(docker, containerId).getRunning()) ? StartupStatus.NOT_YET_KNOWN
                    : StartupStatus.SUCCESSFUL;
        }
    }

    private static final class NoWait extends AbstractWaitStrategy {
        @Override
        protected void waitUntilReady() {
            // nothing: the container has already exited
        }
    }

    /** Testcontainers and docker-java log through SLF4J; Logback without a configuration prints DEBUG. */
    private static void quietLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
            LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
            logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
            logback.getLogger("com.github.dockerjava").setLevel(Level.WARN);
        }
    }

    private static Http.Response get(int port, String path) {
        try {
            return Http.get(port, path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
