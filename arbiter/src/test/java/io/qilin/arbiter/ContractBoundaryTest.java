package io.qilin.arbiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.qilin.arbiter.settings.Setting;
import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.settings.SettingsLoader;
import io.qilin.worker.protocol.WorkerEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The master reaches the worker side only through the SPI and the contract, and both assume one default. */
class ContractBoundaryTest {

    @Test
    void theMasterImportsNoWorkerInternals() throws IOException {
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            List<String> offenders = sources.filter(p -> p.toString().endsWith(".java"))
                    .filter(ContractBoundaryTest::importsInternals)
                    .map(Path::toString).collect(Collectors.toList());
            assertThat(offenders).as("arbiter classes importing io.qilin.worker.internal").isEmpty();
        }
    }

    @Test
    void aWorkerAssumesTheDefaultTheMasterWouldSend() {
        Settings defaults = new SettingsLoader(Map.of(), Path.of(".")).load(new String[] {"com.example.App"});
        Map<WorkerEnv, Setting<?>> travelling = Map.ofEntries(
                Map.entry(WorkerEnv.WORKER_CLASS, Settings.WORKER_CLASS),
                Map.entry(WorkerEnv.TIMEOUT, Settings.TIMEOUT),
                Map.entry(WorkerEnv.GRACEFUL_TIMEOUT, Settings.GRACEFUL_TIMEOUT),
                Map.entry(WorkerEnv.BOOT_TIMEOUT, Settings.BOOT_TIMEOUT),
                Map.entry(WorkerEnv.THREADS, Settings.THREADS),
                Map.entry(WorkerEnv.WORKER_CONNECTIONS, Settings.WORKER_CONNECTIONS),
                Map.entry(WorkerEnv.KEEP_ALIVE, Settings.KEEPALIVE),
                Map.entry(WorkerEnv.LIMIT_REQUEST_LINE, Settings.LIMIT_REQUEST_LINE),
                Map.entry(WorkerEnv.LIMIT_REQUEST_FIELDS, Settings.LIMIT_REQUEST_FIELDS),
                Map.entry(WorkerEnv.LIMIT_REQUEST_FIELD_SIZE, Settings.LIMIT_REQUEST_FIELD_SIZE),
                Map.entry(WorkerEnv.LIMIT_REQUEST_BODY, Settings.LIMIT_REQUEST_BODY),
                Map.entry(WorkerEnv.HEADER_TIMEOUT, Settings.HEADER_TIMEOUT),
                Map.entry(WorkerEnv.BODY_TIMEOUT, Settings.BODY_TIMEOUT),
                Map.entry(WorkerEnv.WRITE_TIMEOUT, Settings.WRITE_TIMEOUT),
                Map.entry(WorkerEnv.ACCESS_LOG_FORMAT, Settings.ACCESS_LOG_FORMAT),
                Map.entry(WorkerEnv.FORWARDED_ALLOW_IPS, Settings.FORWARDED_ALLOW_IPS),
                Map.entry(WorkerEnv.LOG_LEVEL, Settings.LOGLEVEL));
        travelling.forEach((env, setting) -> assertThat(String.valueOf(defaults.get(setting)))
                .as("%s against --%s", env.variable(), setting.name()).isEqualTo(env.fallback()));
    }

    private static boolean importsInternals(Path source) {
        try {
            return Files.readString(source).contains("import io.qilin.worker.internal.");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
