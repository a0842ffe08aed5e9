package io.qilin.arbiter.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScaleTest {

    @Test
    void setsOrChangesTheCountButNeverBelowOne() {
        assertThat(Scale.parse("4").applyTo(2)).isEqualTo(4);
        assertThat(Scale.parse("+3").applyTo(2)).isEqualTo(5);
        assertThat(Scale.parse("-1").applyTo(2)).isEqualTo(1);
        assertThat(Scale.parse("+3")).hasToString("+3");
        assertThatThrownBy(() -> Scale.parse("-2").applyTo(2)).isInstanceOf(ControlException.class)
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> Scale.parse("0")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> Scale.parse("many")).hasMessageContaining("N, +N or -N");
        assertThatThrownBy(() -> Scale.parse(null)).isInstanceOf(ControlException.class);
    }
}
