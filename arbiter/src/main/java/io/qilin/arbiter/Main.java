package io.qilin.arbiter;

import io.qilin.arbiter.launch.WorkerLauncher;
import static io.qilin.arbiter.settings.Settings.CHECK_CONFIG;
import static io.qilin.arbiter.settings.Settings.DAEMON;
import static io.qilin.arbiter.settings.Settings.ERROR_LOGFILE;
import static io.qilin.arbiter.settings.Settings.LOGLEVEL;
import static io.qilin.arbiter.settings.Settings.PRINT_CONFIG;
import static io.qilin.arbiter.settings.Settings.WORKER_CLASS;

import io.qilin.arbiter.control.ctl.Ctl;
import io.qilin.arbiter.daemon.Daemon;
import io.qilin.arbiter.daemon.StartupReport;
import io.qilin.arbiter.files.LogFileGuard;
import io.qilin.arbiter.settings.Setting;
import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.settings.SettingsLoader;
import io.qilin.logging.LogFiles;
import io.qilin.logging.LogLevels;
import io.qilin.worker.WorkerKind;
import io.qilin.worker.protocol.WorkerKinds;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * {@code qilin [OPTIONS] APP}: resolves the settings, checks them, and runs the {@link Arbiter};
 * {@code qilin ctl ...} talks to a running one instead ({@link Ctl}).
 * Bad input gets one {@code qilin: error:} line and a non-zero exit: 2 for a bad flag, 1 for a bad
 * value. Only {@link #main} calls {@code System.exit}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("ctl")) {
            return Ctl.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        System.setProperty("qilin.pid", Long.toString(ProcessHandle.current().pid()));
        System.setProperty("qilin.role", "master");
        SettingsLoader loader = new SettingsLoader(System.getenv(), Path.of("").toAbsolutePath());
        Settings settings;
        try {
            CommandLine cl = new CommandLine(SettingsLoader.commandSpec());
            ParseResult parsed = cl.parseArgs(args);
            if (parsed.isUsageHelpRequested()) {
                cl.addSubcommand("ctl", Ctl.commandLine(out, err));   // listed in the help; run above
                cl.usage(out);
                return 0;
            }
            if (parsed.isVersionHelpRequested()) {
                out.println("qilin " + version() + " (Java " + Runtime.version() + ")");
                return 0;
            }
            settings = loader.load(args);
        } catch (CommandLine.ParameterException e) {
            err.println("qilin: error: " + e.getMessage() + " (see qilin --help)");
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("qilin: error: " + e.getMessage());
            return 1;
        }
        settings.warnings().forEach(w -> err.println("qilin: warning: " + w));
        if (settings.get(PRINT_CONFIG)) {
            settings.describe().forEach(out::println);
            return 0;
        }
        if (settings.app() == null || settings.app().isBlank()) {
            err.println("qilin: error: Missing required parameter: APP (see qilin --help)");
            return 2;
        }
        try {
            settings = withKindChecked(settings);
        } catch (IllegalArgumentException e) {
            err.println("qilin: error: " + e.getMessage());
            return 1;
        }
        if (settings.get(CHECK_CONFIG)) {
            return new ConfigCheck(out, err).run(settings);
        }
        if (settings.get(DAEMON) && System.getenv(Daemon.DAEMONIZED) == null) {
            // as long as a worker may take to boot, and then some for the JVMs to start
            Duration patience = Duration.ofSeconds(settings.get(Settings.BOOT_TIMEOUT) + 30L);
            return new Daemon(err).launch(MasterCommand.relaunch(List.of(args)), patience);
        }
        String unsafeLog = unsafeLogFile(settings);
        if (unsafeLog != null) {
            err.println("qilin: error: " + unsafeLog);
            return 1;
        }
        try {
            LogFiles.configure(settings.get(Settings.LOG_CONFIG));
            LogLevels.apply(settings.get(LOGLEVEL));
            LogFiles.logTo(settings.get(ERROR_LOGFILE));
            if (settings.get(Settings.CAPTURE_OUTPUT)) {
                io.qilin.arbiter.posix.Processes.redirectOutput(settings.get(ERROR_LOGFILE));
            }
            LogFiles.accessLogTo(settings.get(Settings.ACCESS_LOGFILE));
            if (settings.get(Settings.SYSLOG)) {
                LogFiles.syslogTo(settings.get(Settings.SYSLOG_ADDR), settings.get(Settings.SYSLOG_FACILITY),
                        settings.syslogPrefix(), false);
            }
        } catch (IllegalArgumentException e) {
            err.println("qilin: error: " + e.getMessage());
            StartupReport.fromEnvironment(System.getenv()).failed(e.getMessage());
            return 1;
        }
        long pid = ProcessHandle.current().pid();
        return new Arbiter(settings, () -> withKindChecked(loader.load(args)), List.of(args), version(), System.getenv(),
                new RealProcessTable(pid)).run();
    }

    /**
     * With --user/--group the workers' user may write the log files, and so replace one with a link
     * while the master is stopped: a master must not then open it (as root) and write where it points.
     */
    private static String unsafeLogFile(Settings settings) {
        int[] workers = WorkerLauncher.identity(settings);
        if (workers == null) {
            return null;
        }
        for (Setting<String> log : List.of(ERROR_LOGFILE, Settings.ACCESS_LOGFILE)) {
            String file = settings.get(log);
            String why = file == null || file.equals("-") ? null
                    : new LogFileGuard().unsafeToOpen(Path.of(file).toAbsolutePath(), workers[0]);
            if (why != null) {
                return "Invalid value for " + log.name() + ": " + why + " (the workers' user could have put it there)";
            }
        }
        return null;
    }

    /**
     * Finds the worker kind the way a worker will, so a typo fails here with the list of kinds; the
     * settings come back with the kind's name (Qilin's own) or class name (anyone else's).
     */
    static Settings withKindChecked(Settings s) {
        List<URL> urls = s.classpathUrls();
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), Main.class.getClassLoader())) {
            WorkerKinds kinds = WorkerKinds.discover(loader);
            kinds.problems().forEach(p -> System.err.println("qilin: warning: " + p));
            WorkerKind kind = kinds.select(s.get(WORKER_CLASS), loader);
            String name = kind.getClass().getName().startsWith("io.qilin.") ? kind.name() : kind.getClass().getName();
            return s.with(WORKER_CLASS, name);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --classpath: " + e.getMessage(), e);
        }
    }

    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/qilin-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
