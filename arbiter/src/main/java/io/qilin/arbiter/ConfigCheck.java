package io.qilin.arbiter;

import io.qilin.arbiter.launch.WorkerLauncher;
import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.posix.Processes;
import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code --check-config}: the settings are valid (the caller checked), and the application loads in
 * a throwaway worker JVM that exits before serving. Exit 0 when it does, 1 otherwise.
 */
final class ConfigCheck {
    private final PrintStream out;
    private final PrintStream err;

    ConfigCheck(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(Settings settings) {
        try {
            long pid = new WorkerLauncher(ProcessHandle.current().pid(), -1, null).spawnCheck(settings);
            Processes.Exit exit = Processes.waitFor(pid);
            if (!exit.signalled() && exit.code() == 0) {
                out.println("qilin: configuration OK: " + settings.app() + " loads on " + settings.get(Settings.WORKER_CLASS));
                return 0;
            }
            err.println("qilin: error: the application did not load (worker " + exit + ")");
            return 1;
        } catch (IOException e) {
            err.println("qilin: error: cannot start a worker: " + e.getMessage());
            return 1;
        }
    }
}
