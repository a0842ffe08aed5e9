package io.qilin.arbiter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RealProcessTableTest {
    @Test
    void residentMemoryIsReadFromProcAndMinusOneForNoSuchProcess() {
        long self = ProcessHandle.current().pid();
        RealProcessTable processes = new RealProcessTable(self);
        long rss = processes.residentBytes(self);
        // a running JVM: more than its heap in use, far less than a terabyte
        long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertThat(rss).isGreaterThan(used).isLessThan(1L << 40);
        assertThat(processes.residentBytes(Integer.MAX_VALUE)).isEqualTo(-1);
    }
}
