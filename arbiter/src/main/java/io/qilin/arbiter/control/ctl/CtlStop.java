package io.qilin.arbiter.control.ctl;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code qilin ctl stop [--quick]}: as TERM (or INT); returns once the master has stopped. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stop the master as TERM does (graceful: requests in flight finish), or as INT with --quick; "
                + "returns once it has stopped.")
final class CtlStop implements Callable<Integer> {
    @ParentCommand
    Ctl ctl;

    @Option(names = "--quick", description = "Cut requests in flight (INT).")
    boolean quick;

    @Override
    public Integer call() throws IOException {
        try (ControlClient client = ControlClient.connect(ctl.socketPath())) {
            int code = ctl.finish(client.request(Map.of("command", "stop", "quick", quick), event -> { }));
            if (code == Ctl.OK) {
                client.awaitClose();   // the master closes the socket on its way out
                ctl.out().println("Stopped");
            }
            return code;
        }
    }
}
