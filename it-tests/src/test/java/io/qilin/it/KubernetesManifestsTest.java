package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes manifests as the distribution ships them ({@code k8s/} of the unpacked distribution),
 * parsed, and checked for what makes a rolling update lossless; no cluster runs here. See
 * docs/kubernetes.md for why each invariant matters.
 */
class KubernetesManifestsTest {
    private static final Path K8S = Qilin.HOME.resolve("k8s");
    /** Qilin's defaults, for flags the manifest leaves out. */
    private static final int DEFAULT_GRACEFUL_TIMEOUT = 30;
    private static final int DEFAULT_BOOT_TIMEOUT = 30;
    /** Below this, a worker heap is too small for a JVM app to be worth running (the manifest is a starting point). */
    private static final long MIN_WORKER_HEAP = 128L << 20;

    private static Map<String, Map<String, Object>> byKind;
    private static Map<String, Object> pod;
    private static Map<String, Object> container;
    private static List<String> args;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(K8S)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
        }
        byKind = new HashMap<>();
        for (Path f : files) {
            try (Reader r = Files.newBufferedReader(f)) {
                for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(r)) {
                    Map<String, Object> m = (Map<String, Object>) doc;
                    assertThat(byKind.put((String) m.get("kind"), m)).as("one %s", m.get("kind")).isNull();
                }
            }
        }
        assertThat(byKind).containsOnlyKeys("Deployment", "Service", "PodDisruptionBudget");
        pod = map(byKind.get("Deployment"), "spec", "template", "spec");
        List<Object> containers = (List<Object>) pod.get("containers");
        assertThat(containers).hasSize(1);
        container = (Map<String, Object>) containers.get(0);
        args = ((List<Object>) container.get("args")).stream().map(String::valueOf).collect(Collectors.toList());
    }

    @Test
    void theKubeletWaitsLongerThanTheGracefulStop() {
        int grace = (Integer) pod.get("terminationGracePeriodSeconds");
        int gracefulTimeout = flag("--graceful-timeout").map(Integer::parseInt).orElse(DEFAULT_GRACEFUL_TIMEOUT);
        int shutdownDelay = flag("--shutdown-delay").map(Integer::parseInt).orElse(0);
        int preStop = preStopSeconds();
        assertThat(grace).as("terminationGracePeriodSeconds > preStop %d + --shutdown-delay %d + --graceful-timeout %d",
                preStop, shutdownDelay, gracefulTimeout).isGreaterThan(preStop + shutdownDelay + gracefulTimeout);
    }

    @Test
    void thePodKeepsServingWhileItLeavesTheEndpoints() {
        int shutdownDelay = flag("--shutdown-delay").map(Integer::parseInt).orElse(0);
        assertThat(shutdownDelay + preStopSeconds())
                .as("--shutdown-delay %d (or a preStop sleep) covers the seconds kube-proxy needs to drop the pod", shutdownDelay)
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void theProbesAskTheHealthBind() {
        String bind = flag("--health-bind").orElseThrow(() -> new AssertionError("no --health-bind in " + args));
        Matcher m = Pattern.compile("(0\\.0\\.0\\.0|\\[::\\]):(\\d+)").matcher(bind);
        assertThat(m.matches()).as("--health-bind %s is reachable from the kubelet (all addresses)", bind).isTrue();
        int port = Integer.parseInt(m.group(2));
        for (String[] probe : new String[][] {{"startupProbe", "/startupz"}, {"readinessProbe", "/readyz"},
                {"livenessProbe", "/livez"}}) {
            Map<String, Object> get = map(container, probe[0], "httpGet");
            assertThat(get.get("path")).as(probe[0]).isEqualTo(probe[1]);
            assertThat(containerPort(get.get("port"))).as(probe[0] + "'s port").isEqualTo(port);
        }
        // the startup window covers the time Qilin gives a worker to load the app
        Map<String, Object> startup = map(container, "startupProbe");
        int bootTimeout = flag("--boot-timeout").map(Integer::parseInt).orElse(DEFAULT_BOOT_TIMEOUT);
        assertThat(intOr(startup, "periodSeconds", 10) * intOr(startup, "failureThreshold", 3))
                .isGreaterThan(bootTimeout);
    }

    @Test
    void portAndServiceMatch() {
        String port = env("PORT");
        assertThat(port).as("PORT").isNotNull();
        assertThat(flag("--bind")).as("with no --bind, the master binds 0.0.0.0:$PORT").isEmpty();
        assertThat(flag("-b")).isEmpty();
        assertThat(containerPort("http")).isEqualTo(Integer.parseInt(port));
        Map<String, Object> service = byKind.get("Service");
        Map<String, Object> podLabels = map(byKind.get("Deployment"), "spec", "template", "metadata", "labels");
        assertThat(podLabels).containsAllEntriesOf(map(service, "spec", "selector"));
        for (Object p : (List<?>) map(service, "spec").get("ports")) {
            assertThat(containerPort(((Map<?, ?>) p).get("targetPort"))).isEqualTo(Integer.parseInt(port));
        }
    }

    @Test
    void aRollingUpdateOrADrainNeverTakesTheLastReadyPods() {
        Map<String, Object> spec = map(byKind.get("Deployment"), "spec");
        assertThat(map(spec, "strategy", "rollingUpdate").get("maxUnavailable")).isEqualTo(0);
        int replicas = (Integer) spec.get("replicas");
        assertThat(replicas).isGreaterThan(1);
        Map<String, Object> pdb = map(byKind.get("PodDisruptionBudget"), "spec");
        assertThat(map(pdb, "selector")).isEqualTo(map(spec, "selector"));
        assertThat(map(spec, "template", "metadata", "labels")).containsAllEntriesOf(map(pdb, "selector", "matchLabels"));
        if (pdb.containsKey("maxUnavailable")) {
            assertThat((Integer) pdb.get("maxUnavailable")).isBetween(1, replicas - 1);
        } else {
            assertThat((Integer) pdb.get("minAvailable")).isBetween(1, replicas - 1);
        }
    }

    @Test
    void theWorkerHeapsAreCutFromTheMemoryLimit() {
        Map<String, Object> resources = map(container, "resources");
        long limit = bytes(map(resources, "limits").get("memory"));
        assertThat(bytes(map(resources, "requests").get("memory"))).as("requests.memory = limits.memory").isEqualTo(limit);
        assertThat(map(resources, "requests").get("cpu")).isEqualTo(map(resources, "limits").get("cpu"));
        int workers = Integer.parseInt(env("WEB_CONCURRENCY"));
        // from 4 workers on Qilin gives each worker -XX:MaxRAMPercentage=75/N (WorkerLauncher); below, the
        // JVM's own 25 % each would overcommit the limit, so --worker-jvm-opts must size the heap
        if (workers < 4) {
            assertThat(flag("--worker-jvm-opts").orElse("")).as("a heap size for fewer than 4 workers")
                    .containsAnyOf("-Xmx", "-XX:MaxRAMPercentage");
        } else {
            assertThat(limit * 3 / 4 / workers).as("each worker's heap").isGreaterThanOrEqualTo(MIN_WORKER_HEAP);
        }
    }

    @Test
    void thePodRunsAsTheImagesUser() throws IOException {
        String dockerfile = Files.readString(Qilin.HOME.resolve("../../src/docker/Dockerfile").normalize());
        Matcher uid = Pattern.compile("useradd --uid (\\d+)").matcher(dockerfile);
        assertThat(uid.find()).isTrue();
        Map<String, Object> security = map(pod, "securityContext");
        assertThat(security.get("runAsNonRoot")).isEqualTo(true);
        assertThat(security.get("runAsUser")).isEqualTo(Integer.parseInt(uid.group(1)));
    }

    // ---- reading the manifests

    /** The value after {@code name} in the container's args. */
    private static java.util.Optional<String> flag(String name) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? java.util.Optional.of(args.get(i + 1)) : java.util.Optional.empty();
    }

    private static String env(String name) {
        for (Object e : (List<?>) container.get("env")) {
            Map<?, ?> m = (Map<?, ?>) e;
            if (name.equals(m.get("name"))) {
                return String.valueOf(m.get("value"));
            }
        }
        return null;
    }

    /** A probe's or a Service's port: a number, or the name of one of the container's ports. */
    private static int containerPort(Object port) {
        if (port instanceof Integer) {
            return (Integer) port;
        }
        for (Object p : (List<?>) container.get("ports")) {
            Map<?, ?> m = (Map<?, ?>) p;
            if (port.equals(m.get("name"))) {
                return (Integer) m.get("containerPort");
            }
        }
        throw new AssertionError("no container port named " + port);
    }

    /** preStop: {@code exec: sleep N} or Kubernetes' own {@code sleep: {seconds: N}}; 0 without one. */
    private static int preStopSeconds() {
        Map<?, ?> lifecycle = (Map<?, ?>) container.get("lifecycle");
        if (lifecycle == null || lifecycle.get("preStop") == null) {
            return 0;
        }
        Map<?, ?> preStop = (Map<?, ?>) lifecycle.get("preStop");
        if (preStop.get("sleep") != null) {
            return (Integer) ((Map<?, ?>) preStop.get("sleep")).get("seconds");
        }
        List<?> command = (List<?>) ((Map<?, ?>) preStop.get("exec")).get("command");
        assertThat(command.get(0)).as("a preStop Qilin can time: sleep N").isEqualTo("sleep");
        return Integer.parseInt(String.valueOf(command.get(1)));
    }

    private static int intOr(Map<String, Object> m, String key, int otherwise) {
        return m.containsKey(key) ? (Integer) m.get(key) : otherwise;
    }

    /** A Kubernetes memory quantity: 2Gi, 512Mi, 1G, 1000000. */
    static long bytes(Object quantity) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?").matcher(String.valueOf(quantity));
        assertThat(m.matches()).as("memory quantity %s", quantity).isTrue();
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        List<String> binary = List.of("", "Ki", "Mi", "Gi", "Ti");
        List<String> decimal = List.of("", "k", "M", "G", "T");
        return binary.contains(unit) ? n << (10 * binary.indexOf(unit)) : n * (long) Math.pow(1000, decimal.indexOf(unit));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String... path) {
        Map<String, Object> at = m;
        List<String> walked = new ArrayList<>();
        for (String key : path) {
            walked.add(key);
            Object next = at.get(key);
            assertThat(next).as(String.join(".", walked)).isInstanceOf(Map.class);
            at = (Map<String, Object>) next;
        }
        return at;
    }
}
