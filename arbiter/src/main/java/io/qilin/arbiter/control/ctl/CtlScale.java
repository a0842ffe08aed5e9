package io.qilin.arbiter.control.ctl;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code qilin ctl scale N|+N|-N}: sets or changes the number of workers, as TTIN/TTOU do one at a time. */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Set the number of workers (N) or change it (+N, -N); never below 1. Lasts until the next reload.")
final class CtlScale implements Callable<Integer> {
    @ParentCommand
    Ctl ctl;

    @Parameters(paramLabel = "N|+N|-N", description = "How many workers, or how many more or fewer.")
    String workers;

    @Override
    public Integer call() throws IOException {
        return ctl.send(Map.of("command", "scale", "workers", workers), event -> { });
    }
}
