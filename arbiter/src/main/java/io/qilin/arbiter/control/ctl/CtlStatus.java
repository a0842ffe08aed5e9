package io.qilin.arbiter.control.ctl;

import io.qilin.arbiter.control.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code qilin ctl status [--json]}: the master and each worker, as a table or as JSON. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the master (pid, version, uptime, generation, listeners, settings) and every worker "
                + "(state, age, requests, request in progress, heartbeat, heap), with recent worker exits.")
final class CtlStatus implements Callable<Integer> {
    @ParentCommand
    Ctl ctl;

    @Option(names = "--json", description = "Print the master's answer as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        try (ControlClient client = ControlClient.connect(ctl.socketPath())) {
            Map<String, Object> response = client.request(Map.of("command", "status"), e -> { });
            if (!Boolean.TRUE.equals(response.get("ok"))) {
                return ctl.finish(response);
            }
            if (json) {
                Map<String, Object> body = new LinkedHashMap<>(response);
                body.remove("ok");
                ctl.out().println(Json.write(body));
            } else {
                ctl.out().print(StatusTable.render(response));
            }
            ctl.out().flush();
            return Ctl.OK;
        }
    }
}
