package io.qilin.arbiter.control.ctl;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code qilin ctl kill PID}: TERM one worker; the master starts its replacement at once. */
@Command(name = "kill", mixinStandardHelpOptions = true,
        description = "Stop one worker gracefully (TERM); a new worker replaces it.")
final class CtlKill implements Callable<Integer> {
    @ParentCommand
    Ctl ctl;

    @Parameters(paramLabel = "PID", description = "The worker's pid (see status).")
    long pid;

    @Override
    public Integer call() throws IOException {
        return ctl.send(Map.of("command", "kill", "pid", pid), event -> { });
    }
}
