package io.qilin.arbiter.daemon;

import io.qilin.arbiter.posix.LibC;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The detached master's side of {@code -D}: one line to the launching process on a pipe, "ready"
 * once every worker has booted, or "error MESSAGE" when start-up fails. Only the first report is
 * sent; in any other master (not detached, or a USR2 child that inherited the environment) it does
 * nothing.
 */
public final class StartupReport {
    /** The environment variable naming the pipe's fd in the detached master. */
    static final String FD_VARIABLE = "QILIN_DAEMON_REPORT_FD";
    private static final StartupReport NONE = new StartupReport(null);

    private OutputStream pipe;

    private StartupReport(OutputStream pipe) {
        this.pipe = pipe;
    }

    /** The report pipe named by the environment, when it is this process's and really a pipe. */
    public static StartupReport fromEnvironment(Map<String, String> env) {
        String fd = env.get(FD_VARIABLE);
        if (fd == null || !fd.matches("\\d+") || env.containsKey("QILIN_UPGRADE_FROM")) {
            return NONE;
        }
        Path link = Path.of("/proc/self/fd", fd);
        try {
            if (!Files.readSymbolicLink(link).toString().startsWith("pipe:")) {
                return NONE;
            }
            OutputStream out = new FileOutputStream(link.toFile());
            LibC.INSTANCE.close(Integer.parseInt(fd));   // the stream has its own fd; workers never inherit it (Spawner)
            return new StartupReport(out);
        } catch (IOException | UnsupportedOperationException e) {
            return NONE;
        }
    }

    /** Every worker has booted: the launcher exits 0. */
    public synchronized void ready() {
        send("ready");
    }

    /** Start-up failed: the launcher prints {@code qilin: error: MESSAGE} and exits non-zero. */
    public synchronized void failed(String message) {
        send("error " + (message == null ? "start-up failed" : message.replace('\n', ' ')));
    }

    private void send(String line) {
        if (pipe == null) {
            return;
        }
        try (OutputStream out = pipe) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the launcher is gone (it gave up waiting); nobody is left to tell
        }
        pipe = null;
    }
}
