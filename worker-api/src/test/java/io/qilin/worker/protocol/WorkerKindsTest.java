package io.qilin.worker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qilin.worker.Worker;
import io.qilin.worker.WorkerContext;
import io.qilin.worker.WorkerKind;
import org.junit.jupiter.api.Test;

class WorkerKindsTest {

    public static final class Custom implements WorkerKind {
        @Override
        public String name() {
            return "custom";
        }

        @Override
        public String description() {
            return "a test kind";
        }

        @Override
        public Worker create(WorkerContext context) {
            return null;
        }
    }

    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void aClassNameSkipsDiscovery() {
        assertThat(WorkerKinds.discover(loader).select(Custom.class.getName(), loader)).isInstanceOf(Custom.class);
    }

    @Test
    void anUnknownNameListsWhatWasFound() {
        assertThatThrownBy(() -> WorkerKinds.discover(loader).select("gthred", loader))
                .hasMessageStartingWith("no worker kind named 'gthred'; found: ")
                .hasMessageEndingWith("check --worker-class, or add the jar that provides it to --classpath");
    }

    @Test
    void aClassThatIsNoKindIsRefused() {
        assertThatThrownBy(() -> WorkerKinds.discover(loader).select("java.lang.String", loader))
                .hasMessageContaining("is not a io.qilin.worker.WorkerKind");
        assertThatThrownBy(() -> WorkerKinds.discover(loader).select("com.example.Missing", loader))
                .hasMessageContaining("no worker kind class 'com.example.Missing'");
    }
}
