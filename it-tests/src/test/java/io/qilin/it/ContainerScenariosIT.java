package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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
 * The scenarios against the image of {@code distribution/src/docker/Dockerfile}, built once from the
 * unpacked distribution of this build, with the master as the container's PID 1 (no {@code --init})
 * and every signal sent through the Docker API, as {@code docker kill -s} and {@code docker stop} send
 * them. For each worker kind, one container runs the steps of {@link #aContainersLife} in order, and a
 * second one, under a memory limit, checks the worker heaps and takes the quick stop; one more checks
 * the exit code of an app that fails to load.
 * <p>
 * With no Docker engine the suite skips itself, with one reason, in about a second; with
 * {@code CI=true} it fails instead ({@code .ci/run} starts an engine with {@code .ci/docker-engine.sh}).
 * {@link Pid1NamespaceIT} covers PID 1 without Docker.
 */
class ContainerScenariosIT {
    private static final Path DOCKER = Qilin.HOME.resolve("../../src/docker").normalize();
    /** Set through $PORT: the image's default is 8000, so the master honouring PORT is checked too. */
    private static final int PORT = 8080;
    /** Workers of the container that goes through a life: each reload or upgrade boots as many JVMs again. */
    private static final int WORKERS = 2;
    /** Workers of the quick-stop container, which checks the heaps: from 4 on, each is capped at 75 % / N of the limit. */
    private static final int HEAP_WORKERS = 4;
    /** The quick-stop container's memory limit. */
    private static final long MEMORY = 2048L << 20;
    private static final int LOAD_THREADS = 4;
    private static final int GRACEFUL_TIMEOUT = 20;
    private static final Duration START = Duration.ofMinutes(3);
    private static final Duration EXIT = Duration.ofSeconds(60);
    /** The master's own lines: it is PID 1. */
    private static final String MASTER = "\\[1\\] ";

    private static ImageFromDockerfile image;
    /** Why the scenarios cannot run here, or null. */
    private static String skipReason;
    /** Started containers, stopped at the end whatever happened to the steps. */
    private static final List<GenericContainer<?>> STARTED = new ArrayList<>();

    @BeforeAll
    static void dockerAnswers() {
        quietLogging();
        skipReason = whyNoDocker();
        if (skipReason != null && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true and the container suite cannot run: " + skipReason
                    + ". Start an engine first: eval \"$(bash .ci/docker-engine.sh)\" (as root; see the README)");
        }
        if (skipReason == null) {
            // the same layout as `docker build -f distribution/src/docker/Dockerfile distribution`
            image = new ImageFromDockerfile("localhost/qilin-it", true)
                    .withFileFromPath("Dockerfile", DOCKER.resolve("Dockerfile"))
                    .withFileFromPath("target/qilin", Qilin.HOME);
        }
    }

    private static String whyNoDocker() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "no Docker engine answers (.ci/docker-engine.sh starts one; Pid1NamespaceIT runs S16 without Docker)";
        }
        String host = DockerClientFactory.instance().dockerHostIpAddress();
        if (!host.equals("localhost") && !host.startsWith("127.")) {
            return "the Docker engine is on " + host + ": the load client only talks to the loopback address"
                    + " (in a container, set TESTCONTAINERS_HOST_OVERRIDE=localhost: .ci/docker-engine.sh prints it)";
        }
        return null;
    }

    @BeforeEach
    void needsDocker() {
        assumeTrue(skipReason == null, skipReason);
    }

    @AfterAll
    static void stopWhatIsLeft() {
        STARTED.forEach(GenericContainer::stop);
    }

    /**
     * One container of {@code kind} with {@value #WORKERS} workers through everything but the quick
     * stop, in order: the start on $PORT, a reload under load, a worker killed with -9, orphans, a
     * USR2 upgrade, and {@code docker stop}. A step that fails
     * leaves the later ones to fail too; the first failure is the one to read.
     */
    @TestFactory
    Stream<DynamicContainer> aContainersLife() {
        return Qilin.KINDS.stream().map(kind -> {
            GenericContainer<?>[] box = new GenericContainer<?>[1];
            return DynamicContainer.dynamicContainer(kind, Stream.of(
                    dynamicTest("starts as PID 1 on $PORT with $WEB_CONCURRENCY workers", () -> box[0] = startsOnPort(kind)),
                    dynamicTest("HUP under load loses nothing", () -> hupUnderLoadLosesNothing(box[0])),
                    dynamicTest("a worker killed with -9 inside is replaced", () -> kill9IsReplaced(box[0])),
                    dynamicTest("PID 1 reaps orphans", () -> pid1ReapsOrphans(box[0])),
                    dynamicTest("USR2 starts a new master beside PID 1; backing out loses nothing", () -> usr2ThenBackOut(box[0])),
                    dynamicTest("docker stop answers the requests in flight and exits 0", () -> dockerStopExits0(box[0]))));
        });
    }

    private static GenericContainer<?> startsOnPort(String kind) {
        GenericContainer<?> c = container(kind, WORKERS, "--graceful-timeout", Integer.toString(GRACEFUL_TIMEOUT),
                "io.qilin.examples.TestApp")
                .withEnv("PORT", Integer.toString(PORT)).withExposedPorts(PORT);
        start(c);
        assertThat(c.getLogs()).contains("[1] [INFO] Listening at: http://0.0.0.0:" + PORT + " (1)")
                .contains("[1] [INFO] Using worker: " + kind);
        await().atMost(START).until(() -> workers(c).size() == WORKERS);
        assertThat(get(port(c), "/pid").status).isEqualTo(200);
        return c;
    }

    /** From 4 workers on, Qilin caps each worker's heap at 75 % / workers of the memory the JVM sees: the container's limit. */
    private static void heapsShareTheMemoryLimit(GenericContainer<?> c) throws Exception {
        String share = String.format(Locale.ROOT, "%.1f", 75.0 / HEAP_WORKERS);
        int cpus = Integer.parseInt(exec(c, "nproc").trim());
        for (long worker : workers(c)) {
            List<String> flags = List.of(exec(c, "tr '\\0' '\\n' </proc/" + worker + "/cmdline").split("\n"));
            assertThat(flags).as("worker %d's JVM flags", worker).contains("-XX:MaxRAMPercentage=" + share,
                    "-XX:ActiveProcessorCount=" + Math.max(1, cpus / HEAP_WORKERS), "-XX:+ExitOnOutOfMemoryError");
        }
        // the heap each worker's JVM reports (sampled once a second), through qilin ctl status in the container
        long cap = (long) (MEMORY * Double.parseDouble(share) / 100);
        List<Long> heaps = new ArrayList<>();
        await().atMost(START).pollInterval(Duration.ofSeconds(1)).alias("every worker's heap_max in ctl status").until(() -> {
            heaps.clear();
            Matcher m = Pattern.compile("\"heap_max\":(\\d+)").matcher(exec(c, "/opt/qilin/bin/qilin ctl status --json"));
            while (m.find()) {
                heaps.add(Long.parseLong(m.group(1)));
            }
            return heaps.size() == HEAP_WORKERS && heaps.stream().allMatch(h -> h > 0);
        });
        System.out.printf("ContainerScenariosIT: memory limit %d MiB, %d workers, -XX:MaxRAMPercentage=%s, heap_max %s MiB%n",
                MEMORY >> 20, HEAP_WORKERS, share, heaps.stream().map(h -> Long.toString(h >> 20)).collect(Collectors.joining(", ")));
        for (long heap : heaps) {
            // the JVM reports a little less than the cap (one survivor space is not counted)
            assertThat(heap).as("a worker's heap_max, of the cap %d", cap).isBetween(cap * 3 / 4, cap);
        }
        assertThat(heaps.stream().mapToLong(Long::longValue).sum()).isLessThanOrEqualTo(MEMORY * 3 / 4);
    }

    private static void hupUnderLoadLosesNothing(GenericContainer<?> c) throws Exception {
        try (LoadClient load = LoadClient.start(port(c), LOAD_THREADS, "/pid", r -> r.status == 200)) {
            load.awaitMoreSuccesses(300);
            int generation = 1 + (int) count(c, MASTER + "\\[INFO\\] Reload complete");
            signal(c, "HUP");
            awaitLog(c, MASTER + "\\[INFO\\] Reload complete: generation " + (generation + 1) + " is serving");
            load.awaitMoreSuccesses(300);
            load.stop();
            System.out.println("ContainerScenariosIT: HUP under load: " + load);
            assertThat(load.failed()).as(load.toString()).isZero();
        }
        awaitWorkers(c, WORKERS);
    }

    private static void kill9IsReplaced(GenericContainer<?> c) throws Exception {
        long worker = workers(c).get(0);
        exec(c, "kill -KILL " + worker);
        awaitLog(c, "Worker \\(pid:" + worker + "\\) was sent SIGKILL");
        awaitWorkers(c, WORKERS);
        assertThat(workers(c)).doesNotContain(worker);
        assertThat(get(port(c), "/pid").status).isEqualTo(200);
    }

    /** A process started by docker exec whose parent exits is re-parented to the namespace's PID 1: the master. */
    private static void pid1ReapsOrphans(GenericContainer<?> c) throws Exception {
        List<Long> orphans = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            orphans.add(Long.parseLong(exec(c, "sleep 0.5 >/dev/null 2>&1 & echo $!").trim()));
        }
        for (long orphan : orphans) {
            awaitLog(c, MASTER + "\\[DEBUG\\] Reaped unknown child process \\(pid:" + orphan + ", ");
        }
        assertThat(processes(c).stream().filter(p -> p.state.equals("Z")).collect(Collectors.toList()))
                .as("zombies").isEmpty();
        assertThat(workers(c)).hasSize(WORKERS);
    }

    private static void usr2ThenBackOut(GenericContainer<?> c) throws Exception {
        try (LoadClient load = LoadClient.start(port(c), LOAD_THREADS, "/pid", r -> r.status == 200)) {
            load.awaitMoreSuccesses(300);
            signal(c, "USR2");
            long newMaster = Long.parseLong(awaitLog(c, "Upgrading: started a new master \\(pid:(\\d+)\\)").group(1));
            await().atMost(START).until(() -> count(c, "\\[" + newMaster + "\\] \\[DEBUG\\] Worker \\(pid:\\d+\\) is ready") >= WORKERS);
            load.awaitMoreSuccesses(300);
            // Stopping the old master would stop the container (it is PID 1): a container is upgraded
            // by a new image, so the new master is backed out here.
            exec(c, "kill -TERM " + newMaster);
            awaitLog(c, MASTER + "\\[INFO\\] The new master \\(pid:" + newMaster + "\\) exited: exit code 0");
            load.awaitMoreSuccesses(300);
            load.stop();
            System.out.println("ContainerScenariosIT: USR2, then TERM to the new master, under load: " + load);
            assertThat(load.failed()).as(load.toString()).isZero();
        }
        assertThat(workers(c)).hasSize(WORKERS);
    }

    /** docker stop: TERM (the image's STOPSIGNAL), then KILL after its timeout, which is longer than --graceful-timeout. */
    private static void dockerStopExits0(GenericContainer<?> c) throws Exception {
        int port = port(c);
        try (LoadClient load = LoadClient.start(port, LOAD_THREADS, "/pid", r -> r.status == 200)) {
            load.awaitMoreSuccesses(300);
            load.stop();
            assertThat(load.failed()).as(load.toString()).isZero();
        }
        long before = count(c, "TestApp: /sleep\\?s=2 started");
        List<CompletableFuture<Http.Response>> inFlight = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            inFlight.add(CompletableFuture.supplyAsync(() -> get(port, "/sleep?s=2")));
        }
        await().atMost(START).until(() -> count(c, "TestApp: /sleep\\?s=2 started") > before);
        long t0 = System.nanoTime();
        c.getDockerClient().stopContainerCmd(c.getContainerId()).withTimeout(GRACEFUL_TIMEOUT + 10).exec();
        long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<Http.Response> f : inFlight) {
            statuses.add(f.get().status);
        }
        long exit = exitCode(c);
        System.out.printf("ContainerScenariosIT: docker stop took %d ms; the %d /sleep requests in flight: %s; exit code %d%n",
                stopMillis, WORKERS, statuses, exit);
        assertThat(statuses).containsOnly(200);
        assertThat(exit).isZero();
        assertThat(c.getLogs()).contains("[1] [INFO] Handling signal: term").contains("[1] [INFO] Shutting down: Master")
                .doesNotContain("still running after");
    }

    /** {@value #HEAP_WORKERS} workers under a memory limit: their JVM flags and heaps; then docker kill -s INT. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void theMemoryLimitDividesIntoTheWorkerHeapsAndIntStopsAtOnce(String kind) throws Exception {   // S9
        GenericContainer<?> c = container(kind, HEAP_WORKERS, "--graceful-timeout", "120", "io.qilin.examples.TestApp")
                .withExposedPorts(8000)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withMemory(MEMORY).withMemorySwap(MEMORY));
        start(c);
        heapsShareTheMemoryLimit(c);
        int port = c.getMappedPort(8000);
        CompletableFuture.runAsync(() -> {
            try {
                Http.get(port, "/hang");
            } catch (IOException expected) {
                // cut by the quick stop
            }
        });
        await().atMost(START).until(() -> count(c, "TestApp: /hang started") == 1);
        signal(c, "INT");
        assertThat(awaitExit(c)).isZero();   // within EXIT, long before the 120 s a graceful stop would wait
        assertThat(c.getLogs()).contains("[1] [INFO] Handling signal: int");
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

    /** A container of the image running {@code args} on {@code workers} workers (WEB_CONCURRENCY) of {@code kind}; not started. */
    private static GenericContainer<?> container(String kind, int workers, String... args) {
        // --boot-timeout: on a shared 2-core machine, 4 worker JVMs booting beside 4 others can take over 30 s
        List<String> command = new ArrayList<>(List.of("--log-level", "debug", "-k", kind, "--boot-timeout", "120"));
        command.addAll(List.of(args));
        return new GenericContainer<>(image)
                .withEnv("WEB_CONCURRENCY", Integer.toString(workers))
                .withCommand(command.toArray(new String[0]))
                .waitingFor(Wait.forLogMessage(".*" + MASTER + "\\[DEBUG\\] Worker \\(pid:\\d+\\) is ready.*", workers)
                        .withStartupTimeout(START));
    }

    /** Starts it, every worker ready; stopped by {@link #stopWhatIsLeft} if a step fails before its own stop. */
    private static void start(GenericContainer<?> c) {
        STARTED.add(c);
        c.start();
    }

    private static int port(GenericContainer<?> c) {
        return c.getMappedPort(PORT);
    }

    /** {@code docker kill -s NAME}: to PID 1, the master. */
    private static void signal(GenericContainer<?> c, String name) {
        c.getDockerClient().killContainerCmd(c.getContainerId()).withSignal(name).exec();
    }

    private static long awaitExit(GenericContainer<?> c) {
        c.getDockerClient().waitContainerCmd(c.getContainerId()).start().awaitStatusCode(EXIT.toSeconds(), TimeUnit.SECONDS);
        return exitCode(c);
    }

    private static long exitCode(GenericContainer<?> c) {
        Long code = c.getDockerClient().inspectContainerCmd(c.getContainerId()).exec().getState().getExitCodeLong();
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
