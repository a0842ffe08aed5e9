package io.qilin.arbiter;

import io.qilin.worker.WorkerKind;
import io.qilin.worker.internal.LogFiles;
import io.qilin.worker.internal.LogLevels;
import io.qilin.worker.internal.WorkerKinds;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code qilin [OPTIONS] APP}: parses the command line, checks it, and runs the {@link Arbiter}.
 * Bad input gets one {@code qilin: error:} line and a non-zero exit: 2 for a bad flag, 1 otherwise.
 */
@Command(name = "qilin", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        usageHelpWidth = 100,
        description = "A pre-fork master/worker HTTP server for the JVM: one master binds the sockets, "
                + "worker JVMs accept on them, signals drive it (HUP reload, TERM graceful stop, INT quick stop, "
                + "TTIN/TTOU scale, USR1 reopen logs).")
public final class Main implements Callable<Integer> {
    @Mixin
    Settings settings;

    private final String[] args;

    Main(String[] args) {
        this.args = args.clone();
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        System.setProperty("qilin.pid", Long.toString(ProcessHandle.current().pid()));
        System.setProperty("qilin.role", "master");
        CommandLine cl = new CommandLine(new Main(args));
        cl.setParameterExceptionHandler((e, a) -> {
            cl.getErr().println("qilin: error: " + e.getMessage() + " (see qilin --help)");
            return 2;
        });
        cl.setExecutionExceptionHandler((e, c, r) -> {
            c.getErr().println("qilin: error: " + e.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        PrintWriter err = new CommandLine(this).getErr();
        try {
            settings.validate();
            checkWorkerClass(settings);
        } catch (IllegalArgumentException e) {
            err.println("qilin: error: " + e.getMessage());
            return e.getMessage().startsWith("Invalid value") ? 1 : 2;
        }
        LogLevels.apply(settings.logLevel);
        try {
            LogFiles.logTo(settings.errorLogfile);
        } catch (IllegalArgumentException e) {
            err.println("qilin: error: " + e.getMessage());
            return 1;
        }
        return new Arbiter(settings, this::parseAgain, List.of(args), version()).run();
    }

    /** The settings as they are now: the same arguments parsed again (a reload's view). */
    private Settings parseAgain() {
        Main fresh = new Main(args);
        try {
            new CommandLine(fresh).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        fresh.settings.validate();
        checkWorkerClass(fresh.settings);
        return fresh.settings;
    }

    /** Finds the worker kind the way a worker will, so a typo fails here with the list of kinds. */
    static void checkWorkerClass(Settings s) {
        List<URL> urls = new ArrayList<>();
        for (String entry : s.classpathEntries()) {
            urls.addAll(urlsOf(entry));
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), Main.class.getClassLoader())) {
            WorkerKinds kinds = WorkerKinds.discover(loader);
            kinds.problems().forEach(p -> System.err.println("qilin: warning: " + p));
            WorkerKind kind = kinds.select(s.workerClass, loader);
            s.workerClass = kind.getClass().getName().startsWith("io.qilin.") ? kind.name() : kind.getClass().getName();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --classpath: " + e.getMessage(), e);
        }
    }

    private static List<URL> urlsOf(String entry) {
        List<URL> out = new ArrayList<>();
        try {
            if (entry.endsWith("/*")) {
                try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of(entry.substring(0, entry.length() - 2)), "*.jar")) {
                    for (Path jar : jars) {
                        out.add(jar.toUri().toURL());
                    }
                }
            } else {
                out.add(Path.of(entry).toUri().toURL());
            }
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("Invalid value for classpath: " + entry, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("Invalid value for classpath: " + entry + ": " + e.getMessage(), e);
        }
        return out;
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

    /** {@code qilin --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"qilin " + version() + " (Java " + Runtime.version() + ")"};
        }
    }
}
