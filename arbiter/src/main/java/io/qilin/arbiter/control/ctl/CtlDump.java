package io.qilin.arbiter.control.ctl;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code qilin ctl dump [PID]}: the thread dumps of one worker or of all, printed here. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print the full thread dump of one worker, or of every worker (each writes it on SIGPWR and "
                + "the master hands it back).")
final class CtlDump implements Callable<Integer> {
    @ParentCommand
    Ctl ctl;

    @Parameters(paramLabel = "PID", arity = "0..1", description = "One worker's pid; every worker without it.")
    Long pid;

    @Override
    public Integer call() throws IOException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", "dump");
        if (pid != null) {
            request.put("pid", pid);
        }
        return ctl.send(request, event -> {
            ctl.out().println("==== worker " + event.get("pid") + " ====");
            ctl.out().println(event.get("dump"));
            ctl.out().flush();
        });
    }
}
