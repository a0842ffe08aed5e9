package io.qilin.worker.internal;

import io.qilin.worker.protocol.FileDescriptors;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Notices at once when the master is gone. The master holds the only write end of a pipe (it is
 * close-on-exec there, so no sibling inherits it) and gives each worker the read end: EOF on it means
 * the master has exited, however it died. A parent-pid check, run from the heartbeat, backs it up.
 */
public final class ParentWatch {
    private final long masterPid;
    private final Consumer<String> onGone;

    /** {@code onGone} receives the reason; it runs at most once per detection and should exit. */
    public ParentWatch(long masterPid, Consumer<String> onGone) {
        this.masterPid = masterPid;
        this.onGone = onGone;
    }

    /** Starts a daemon thread that blocks on the pipe's read end until EOF. */
    public void watchPipe(int fd) throws IOException {
        InputStream in;
        try {
            in = new FileInputStream(FileDescriptors.newFd(fd));
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot open the parent-watch fd " + fd, e);
        }
        Thread t = new Thread(() -> {
            try {
                while (in.read() >= 0) {
                    // the master never writes; keep waiting for EOF
                }
            } catch (IOException e) {
                // a broken pipe means the same as EOF
            }
            onGone.accept("the master (pid " + masterPid + ") is gone");
        }, "qilin-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    /** True while the parent process is still the master this worker was started by. */
    public boolean parentAlive() {
        if (masterPid <= 0) {
            return true;
        }
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        return parent.isPresent() && parent.get().pid() == masterPid;
    }
}
