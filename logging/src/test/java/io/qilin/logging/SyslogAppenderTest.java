package io.qilin.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SyslogAppenderTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("test");

    @Test
    void writesGunicornsSyslogLineOverUdp() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(30_000);
            SyslogAppender appender = appender("udp://127.0.0.1:" + server.getLocalPort(), "local3", "qilin.app.error");
            appender.doAppend(event(Level.WARN, "Worker (pid:{}) was sent SIGKILL!", 42));
            DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
            server.receive(p);
            // local3 = 19: 19 * 8 + 4 (warning)
            assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                    .isEqualTo("<156>qilin.app.error: [" + PID + "] Worker (pid:42) was sent SIGKILL!");
            appender.stop();
        }
    }

    @Test
    void writesALineEachOverTcp() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SyslogAppender appender = appender("tcp://127.0.0.1:" + server.getLocalPort(), "user", "qilin.app.access");
            appender.doAppend(event(Level.INFO, "GET / 200", null));
            appender.doAppend(event(Level.ERROR, "boom", null));
            try (Socket s = server.accept();
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(in.readLine()).isEqualTo("<14>qilin.app.access: [" + PID + "] GET / 200");
                assertThat(in.readLine()).isEqualTo("<11>qilin.app.access: [" + PID + "] boom");
            }
            appender.stop();
        }
    }

    @Test
    void mapsLevelsAsPythonsSysLogHandler() {
        assertThat(SyslogAppender.severity(Level.ERROR)).isEqualTo(3);
        assertThat(SyslogAppender.severity(Level.WARN)).isEqualTo(4);
        assertThat(SyslogAppender.severity(Level.INFO)).isEqualTo(6);
        assertThat(SyslogAppender.severity(Level.DEBUG)).isEqualTo(7);
        assertThat(SyslogAppender.severity(Level.TRACE)).isEqualTo(7);
    }

    private SyslogAppender appender(String address, String facility, String tag) throws Exception {
        SyslogAppender a = new SyslogAppender(new SyslogTransport(SyslogAddress.parse(address)), facility, tag);
        a.setContext(context);
        a.start();
        return a;
    }

    private LoggingEvent event(Level level, String message, Object arg) {
        return new LoggingEvent("x", logger, level, message, null, arg == null ? null : new Object[] {arg});
    }
}
