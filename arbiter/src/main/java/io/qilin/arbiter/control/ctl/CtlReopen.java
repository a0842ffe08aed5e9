package io.qilin.arbiter.control.ctl;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code qilin ctl reopen}: as USR1. */
@Command(name = "reopen", mixinStandardHelpOptions = true,
        description = "Reopen the log files in the master and every worker, as USR1 does (after logrotate).")
final class CtlReopen implements Callable<Integer> {
    @ParentCommand
    Ctl ctl;

    @Override
    public Integer call() throws IOException {
        return ctl.send(Map.of("command", "reopen"), event -> { });
    }
}
