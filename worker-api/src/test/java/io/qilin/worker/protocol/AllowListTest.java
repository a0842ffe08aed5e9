package io.qilin.worker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AllowListTest {
    @Test
    void addressesAndNetworks() throws Exception {
        AllowList list = AllowList.of("127.0.0.1, ::1, 10.0.0.0/8, 192.168.1.128/25, fd00::/8");
        assertThat(list.allows(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(list.allows(InetAddress.getByName("127.0.0.2"))).isFalse();
        assertThat(list.allows(InetAddress.getByName("::1"))).isTrue();
        assertThat(list.allows(InetAddress.getByName("10.200.3.4"))).isTrue();
        assertThat(list.allows(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(list.allows(InetAddress.getByName("192.168.1.200"))).isTrue();
        assertThat(list.allows(InetAddress.getByName("192.168.1.127"))).isFalse();
        assertThat(list.allows(InetAddress.getByName("fd12::5"))).isTrue();
        assertThat(list.allows(InetAddress.getByName("fe80::1"))).isFalse();
        assertThat(list.allows(null)).as("a unix-socket peer").isTrue();
    }

    @Test
    void starAllowsAnyone() throws Exception {
        assertThat(AllowList.of("*").allows(InetAddress.getByName("203.0.113.9"))).isTrue();
        assertThat(AllowList.of("").allows(InetAddress.getByName("127.0.0.1"))).isFalse();
    }

    @Test
    void invalidEntriesAreNamedWithoutALookup() {
        assertThat(AllowList.invalidEntry("127.0.0.1,::1,10.0.0.0/8,*,fd00::/8")).isNull();
        assertThat(AllowList.invalidEntry("127.0.0.1,localhost")).isEqualTo("localhost");
        assertThat(AllowList.invalidEntry("10.0.0.0/33")).isEqualTo("10.0.0.0/33");
        assertThat(AllowList.invalidEntry("1.2.3.999")).isEqualTo("1.2.3.999");
        assertThat(AllowList.invalidEntry("::1/129")).isEqualTo("::1/129");
    }
}
