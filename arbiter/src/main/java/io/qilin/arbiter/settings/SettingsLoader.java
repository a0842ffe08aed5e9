package io.qilin.arbiter.settings;

import io.qilin.arbiter.listen.BindAddress;
import io.qilin.arbiter.spawn.Accounts;
import io.qilin.arbiter.spawn.LibC;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * Resolves the settings, each source overriding the one before: the defaults, the config file
 * ({@code -c FILE}, else {@code ./qilin.properties} when it exists), {@code QILIN_CMD_ARGS}, the
 * command line. A list given by a source replaces the lower source's list.
 */
public final class SettingsLoader {
    /** The environment variable holding extra command-line arguments, as Gunicorn's GUNICORN_CMD_ARGS. */
    public static final String CMD_ARGS = "QILIN_CMD_ARGS";
    static final String DEFAULT_CONFIG = "qilin.properties";

    private final Map<String, String> env;
    private final Path cwd;

    public SettingsLoader(Map<String, String> env, Path cwd) {
        this.env = env;
        this.cwd = cwd;
    }

    /** The command line's spec: an option per setting, plus APP, help and version. */
    public static CommandSpec commandSpec() {
        CommandSpec spec = CommandSpec.create().name("qilin");
        spec.mixinStandardHelpOptions(true);
        for (Setting<?> s : Settings.ALL) {
            // picocli formats descriptions with String.format: Gunicorn's %(h)s atoms need escaping
            String help = s.help() + (s.arity() == Setting.Arity.SWITCH ? "" : " Default: " + s.defaultText() + ".");
            OptionSpec.Builder b = OptionSpec.builder(s.flags().toArray(new String[0]))
                    .description(help.replace("%", "%%"))
                    .userObject(s);
            switch (s.arity()) {
                case SWITCH:
                    b.arity("0").type(boolean.class);
                    break;
                case REPEATED:
                    b.arity("1").type(List.class).auxiliaryTypes(String.class).paramLabel(s.metavar());
                    break;
                default:
                    b.arity("1").type(String.class).paramLabel(s.metavar());
            }
            spec.addOption(b.build());
        }
        spec.addPositional(PositionalParamSpec.builder().index("0").arity("0..1").paramLabel("APP").type(String.class)
                .description("The application: com.example.Hello (a public class with a no-argument constructor) "
                        + "or com.example.App::handler (a public static field or factory method).").build());
        return spec;
    }

    /**
     * Parses everything.
     *
     * @throws CommandLine.ParameterException for an unknown flag or a missing argument (exit 2)
     * @throws IllegalArgumentException "Invalid value for NAME: VALUE" and the like (exit 1)
     */
    public Settings load(String[] args) {
        Given cli = parse(args);
        Given fromEnv = parse(ShellWords.split(env.getOrDefault(CMD_ARGS, "")));
        String configName = (String) cli.values.getOrDefault(Settings.CONFIG, fromEnv.values.get(Settings.CONFIG));
        Given file = readConfig(configName);

        Map<Setting<?>, Object> values = new LinkedHashMap<>(file.values);
        values.putAll(fromEnv.values);
        values.putAll(cli.values);
        String app = cli.app != null ? cli.app : fromEnv.app != null ? fromEnv.app : file.app;
        Settings settings = new Settings(values, app);
        validate(settings);
        return settings;
    }

    /** The settings a command line gives, with their values parsed. */
    private static Given parse(List<String> args) {
        return parse(args.toArray(new String[0]));
    }

    private static Given parse(String[] args) {
        CommandLine cl = new CommandLine(commandSpec());
        ParseResult r = cl.parseArgs(args);
        Given given = new Given();
        for (OptionSpec o : r.matchedOptions()) {
            if (!(o.userObject() instanceof Setting)) {
                continue;
            }
            Setting<?> s = (Setting<?>) o.userObject();
            switch (s.arity()) {
                case SWITCH:
                    given.values.put(s, Boolean.TRUE);
                    break;
                case REPEATED:
                    List<String> all = new ArrayList<>();
                    for (String v : o.stringValues()) {
                        all.add(v);
                    }
                    given.values.put(s, all);
                    break;
                default:
                    given.values.put(s, s.parse(o.stringValues().get(o.stringValues().size() - 1)));
            }
        }
        if (r.hasMatchedPositional(0)) {
            given.app = r.matchedPositional(0).getValue();
        }
        return given;
    }

    private Given readConfig(String name) {
        Path path;
        if (name != null) {
            path = cwd.resolve(name);
            if (!Files.isReadable(path)) {
                throw new IllegalArgumentException("Invalid value for config: " + name + " (no readable file)");
            }
        } else {
            path = cwd.resolve(DEFAULT_CONFIG);
            if (!Files.isReadable(path)) {
                return new Given();
            }
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read config file " + path + ": " + e.getMessage(), e);
        }
        Given given = new Given();
        for (String key : p.stringPropertyNames()) {
            String value = p.getProperty(key).trim();
            if (key.trim().equalsIgnoreCase("app")) {
                given.app = value;
                continue;
            }
            Setting<?> s = Settings.ALL.stream().filter(x -> x.matchesKey(key)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown setting '" + key + "' in " + path));
            if (s == Settings.CONFIG) {
                throw new IllegalArgumentException("'config' cannot be set in a config file (" + path + ")");
            }
            given.values.put(s, s.parse(value));
        }
        return given;
    }

    /** Checks that need more than one value's text: addresses, files, the form of raw_env. */
    private static void validate(Settings s) {
        for (String b : s.get(Settings.BIND)) {
            try {
                BindAddress.parse(b);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid value for bind: " + b + " (" + e.getMessage() + ")", e);
            }
        }
        for (String kv : s.get(Settings.RAW_ENV)) {
            if (kv.indexOf('=') <= 0) {
                throw new IllegalArgumentException("Invalid value for raw_env: " + kv + " (KEY=VALUE)");
            }
        }
        String java = s.get(Settings.JAVA_LAUNCHER);
        if (java != null && !Files.isExecutable(Path.of(java))) {
            throw new IllegalArgumentException("Invalid value for java: " + java + " (not an executable file)");
        }
        String logConfig = s.get(Settings.LOG_CONFIG);
        if (logConfig != null && !Files.isReadable(Path.of(logConfig))) {
            throw new IllegalArgumentException("Invalid value for logconfig: " + logConfig + " (no readable file)");
        }
        if (s.get(Settings.CAPTURE_OUTPUT) && s.get(Settings.ERROR_LOGFILE).equals("-")) {
            throw new IllegalArgumentException("Invalid value for capture_output: true (needs --error-logfile FILE)");
        }
        String chdir = s.get(Settings.CHDIR);
        if (chdir != null && !Files.isDirectory(Path.of(chdir))) {
            throw new IllegalArgumentException("Invalid value for chdir: " + chdir + " (not a directory)");
        }
        validateIdentity(s);
        String metrics = s.get(Settings.METRICS_BIND);
        if (metrics != null && !isHostPort(metrics)) {
            throw new IllegalArgumentException("Invalid value for metrics_bind: " + metrics
                    + " (HOST:PORT, such as 127.0.0.1:9100)");
        }
        String health = s.get(Settings.HEALTH_BIND);
        if (health != null && !isPort(health) && !isHostPort(health)) {
            throw new IllegalArgumentException("Invalid value for health_bind: " + health
                    + " (HOST:PORT, such as 0.0.0.0:8081, or a PORT on 127.0.0.1)");
        }
        String umask = s.get(Settings.UMASK);
        if (umask != null && !umask.matches("0?[0-7]{1,3}")) {
            throw new IllegalArgumentException("Invalid value for umask: " + umask + " (octal, such as 0027)");
        }
        String cert = s.get(Settings.CERTFILE);
        String key = s.get(Settings.KEYFILE);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("Invalid value for " + (cert == null ? "keyfile" : "certfile")
                    + ": " + (cert == null ? key : cert) + " (certfile and keyfile go together)");
        }
        for (String f : new String[] {cert, key}) {
            if (f != null && !Files.isReadable(Path.of(f))) {
                throw new IllegalArgumentException("Invalid value for " + (f.equals(cert) ? "certfile" : "keyfile")
                        + ": " + f + " (no readable file)");
            }
        }
        Path base = chdir == null ? Path.of("") : Path.of(chdir);
        for (String entry : s.classpathEntries()) {
            String e = entry.endsWith("/*") ? entry.substring(0, entry.length() - 2) : entry;
            if (!Files.exists(base.resolve(e))) {
                throw new IllegalArgumentException("Invalid value for classpath: " + entry + " (does not exist)");
            }
        }
    }

    /** A bare TCP port number: the health bind's short form, on 127.0.0.1. */
    private static boolean isPort(String value) {
        String v = value.trim();
        return v.matches("\\d{1,5}") && Integer.parseInt(v) <= 65535;
    }

    /** {@code HOST:PORT} or {@code [v6]:PORT}, with the port given: what the metrics endpoint binds. */
    private static boolean isHostPort(String value) {
        try {
            return value.trim().matches("(\\[[0-9a-fA-F:.]+]|[^:\\[\\]/]*):\\d+")
                    && BindAddress.parse(value).kind() == BindAddress.Kind.TCP;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void validateIdentity(Settings s) {
        String user = s.get(Settings.USER);
        String group = s.get(Settings.GROUP);
        if (user == null && group == null) {
            return;
        }
        if (user != null && Accounts.user(user) == null) {
            throw new IllegalArgumentException("Invalid value for user: " + user + " (no such user)");
        }
        if (group != null && Accounts.group(group) < 0) {
            throw new IllegalArgumentException("Invalid value for group: " + group + " (no such group)");
        }
        String which = user != null ? "user" : "group";
        if (LibC.INSTANCE.geteuid() != 0) {
            throw new IllegalArgumentException("Invalid value for " + which + ": " + (user != null ? user : group)
                    + " (only a master running as root can switch the workers' identity)");
        }
        boolean setpriv = false;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            setpriv |= Files.isExecutable(Path.of(d, "setpriv"));
        }
        if (!setpriv) {
            throw new IllegalArgumentException("Invalid value for " + which + " (setpriv, from util-linux, is not installed)");
        }
    }

    /** What one source gave. */
    private static final class Given {
        final Map<Setting<?>, Object> values = new LinkedHashMap<>();
        String app;
    }
}
