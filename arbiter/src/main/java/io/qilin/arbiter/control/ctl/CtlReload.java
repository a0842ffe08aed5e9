package io.qilin.arbiter.control.ctl;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code qilin ctl reload [--wait]}: as HUP; with {@code --wait}, until the new generation is up or rolled back. */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Reload as HUP does: re-read the settings and start a new generation of workers.")
final class CtlReload implements Callable<Integer> {
    @ParentCommand
    Ctl ctl;

    @Option(names = "--wait", description = "Wait, showing progress, until the new generation serves (exit 0) or "
            + "has been rolled back (exit 1).")
    boolean wait;

    @Override
    public Integer call() throws IOException {
        return ctl.send(Map.of("command", "reload", "wait", wait), event -> {
            ctl.out().println(event.get("message"));
            ctl.out().flush();
        });
    }
}
