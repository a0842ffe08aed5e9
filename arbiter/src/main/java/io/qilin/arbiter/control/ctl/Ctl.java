package io.qilin.arbiter.control.ctl;

import io.qilin.arbiter.control.ControlPaths;
import io.qilin.arbiter.files.RuntimeDir;
import io.qilin.arbiter.files.SafeFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code qilin ctl [--socket PATH | --pid PIDFILE] COMMAND}: talks to a running master through its
 * control socket. Each command is a class of its own; this one finds the socket, sends requests and
 * holds the exit codes.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Control a running master through its control socket (see --control-socket).",
        subcommands = {CtlStatus.class, CtlReload.class, CtlScale.class, CtlKill.class, CtlDump.class, CtlReopen.class,
            CtlStop.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the master could not do it (a reload was rolled back, no such worker, ...)",
            "2:bad usage", "3:no master could be reached (no socket, not allowed, connection lost)"})
public final class Ctl implements Callable<Integer> {
    /** Exit codes of every {@code qilin ctl} command; the table {@code --help} prints. */
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;

    @Option(names = "--socket", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "The master's control socket.")
    Path socket;

    @Option(names = "--pid", paramLabel = "PIDFILE", scope = ScopeType.INHERIT,
            description = "The master's pidfile (its socket is PIDFILE.ctl, or found by its pid). Without either "
                    + "option: the one master running with a default socket.")
    Path pidfile;

    @Spec
    CommandSpec spec;

    /** {@code qilin ctl} alone: the usage, exit 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    /** Runs {@code qilin ctl ARGS}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return commandLine(out, err).setCommandName("qilin ctl").execute(args);
    }

    /** The {@code ctl} command line, printing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Ctl());
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("qilin: error: " + e.getMessage() + " (see "
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("qilin: error: " + e.getMessage());
            return e instanceof IOException ? UNREACHABLE : FAILED;
        });
        return cl;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /**
     * Sends one request and prints the outcome: the final line's {@code message} on stdout, or its
     * {@code error} on stderr. Returns the exit code.
     */
    int send(Map<String, Object> request, Consumer<Map<String, Object>> events) throws IOException {
        try (ControlClient client = ControlClient.connect(socketPath())) {
            return finish(client.request(request, events));
        }
    }

    /** Prints a final response; its exit code. */
    int finish(Map<String, Object> response) {
        if (Boolean.TRUE.equals(response.get("ok"))) {
            if (response.get("message") != null) {
                out().println(response.get("message"));
            }
            return OK;
        }
        err().println(response.get("error"));
        return Boolean.TRUE.equals(response.get("refused")) ? UNREACHABLE : FAILED;
    }

    /** {@code --socket}, else the pidfile's master's socket, else the only master running with a default socket. */
    Path socketPath() throws IOException {
        if (socket != null && pidfile != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --socket or --pid, not both");
        }
        if (socket != null) {
            return socket;
        }
        Path runtimeDir = RuntimeDir.standard(SafeFiles.euid(), System.getenv());
        if (pidfile != null) {
            long pid;
            try {
                pid = Long.parseLong(Files.readString(pidfile, StandardCharsets.US_ASCII).trim());
            } catch (IOException | NumberFormatException e) {
                throw new IOException("cannot read a pid from " + pidfile + ": " + e.getMessage(), e);
            }
            List<Path> candidates = ControlPaths.candidates(pidfile, pid, runtimeDir);
            for (Path c : candidates) {
                if (Files.exists(c, LinkOption.NOFOLLOW_LINKS)) {
                    return c;
                }
            }
            throw new IOException("no control socket for master " + pid + " (looked for " + candidates
                    + "); give --socket PATH");
        }
        List<Path> running = ControlPaths.running(runtimeDir);   // removes the sockets of masters that are gone
        if (running.size() == 1) {
            return running.get(0);
        }
        throw new IOException(running.isEmpty()
                ? "no running master has a control socket in " + runtimeDir + "; give --socket PATH or --pid PIDFILE"
                : "several masters are running (" + running + "); give --socket PATH or --pid PIDFILE");
    }
}
