package io.qilin.arbiter.launch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkerLauncherTest {
    @Test
    void oneWorkerKeepsTheJvmsOwnSizing() {
        assertThat(WorkerLauncher.defaultJvmOptions(1, 8)).containsExactly("-XX:+ExitOnOutOfMemoryError");
    }

    @Test
    void eachWorkerSizesItsThreadsForItsShareOfTheCpus() {
        assertThat(WorkerLauncher.defaultJvmOptions(2, 2)).contains("-XX:ActiveProcessorCount=1");
        assertThat(WorkerLauncher.defaultJvmOptions(3, 8)).contains("-XX:ActiveProcessorCount=2");
        assertThat(WorkerLauncher.defaultJvmOptions(5, 2)).contains("-XX:ActiveProcessorCount=1");
    }

    @Test
    void fromFourWorkersEachHeapGetsItsShareOfThreeQuartersOfTheMemory() {
        assertThat(WorkerLauncher.defaultJvmOptions(3, 2)).noneMatch(o -> o.startsWith("-XX:MaxRAMPercentage"));
        assertThat(WorkerLauncher.defaultJvmOptions(4, 2)).contains("-XX:MaxRAMPercentage=18.8");
    }
}
