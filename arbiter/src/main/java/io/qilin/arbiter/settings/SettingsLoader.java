package io.qilin.arbiter.settings;

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
            String help = s.helpWithRange() + (s.arity() == Setting.Arity.SWITCH ? "" : " Default: " + s.defaultText() + ".");
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
     * Parses everything. Every error names the setting and where its value came from.
     *
     * @throws CommandLine.ParameterException for an unknown flag or a missing argument (exit 2)
     * @throws IllegalArgumentException "Invalid value for NAME from SOURCE: VALUE (why)" and the like (exit 1)
     */
    public Settings load(String[] args) {
        Given cli = parse(args, Source.COMMAND_LINE);
        Given fromEnv = parseCmdArgs(env.getOrDefault(CMD_ARGS, ""));
        Given file;
        if (cli.values.containsKey(Settings.CONFIG)) {
            file = readConfig((String) cli.values.get(Settings.CONFIG), Source.COMMAND_LINE);
        } else if (fromEnv.values.containsKey(Settings.CONFIG)) {
            file = readConfig((String) fromEnv.values.get(Settings.CONFIG), Source.CMD_ARGS);
        } else {
            file = readConfig(null, null);
        }
        Given all = new Given();
        all.putAll(file);
        all.putAll(fromEnv);
        all.putAll(cli);
        applyEnvironmentDefaults(all);
        String app = cli.app != null ? cli.app : fromEnv.app != null ? fromEnv.app : file.app;
        List<String> warnings = new ArrayList<>();
        Settings settings = new Settings(all.values, all.sources, app, warnings);
        new SettingsValidator(settings, warnings).validate();
        return new Settings(all.values, all.sources, app, warnings);
    }

    /**
     * Gunicorn's environment defaults, {@code $PORT} for bind and {@code $WEB_CONCURRENCY} for workers,
     * read (and checked) only when no source gave the setting.
     */
    private void applyEnvironmentDefaults(Given given) {
        String port = env.get("PORT");
        if (port != null && !port.isBlank() && !given.values.containsKey(Settings.BIND)) {
            Source source = Source.environment("PORT");
            if (!port.trim().matches("\\d{1,5}") || Integer.parseInt(port.trim()) < 1 || Integer.parseInt(port.trim()) > 65535) {
                throw Settings.BIND.invalid(source, port, "a port number, 1 to 65535");
            }
            given.put(Settings.BIND, List.of("0.0.0.0:" + port.trim()), source);
        }
        String concurrency = env.get("WEB_CONCURRENCY");
        if (concurrency != null && !concurrency.isBlank() && !given.values.containsKey(Settings.WORKERS_COUNT)) {
            Source source = Source.environment("WEB_CONCURRENCY");
            given.put(Settings.WORKERS_COUNT, Settings.WORKERS_COUNT.parse(concurrency, source), source);
        }
    }

    private static Given parseCmdArgs(String text) {
        List<String> words = ShellWords.split(text);
        try {
            return parse(words.toArray(new String[0]), Source.CMD_ARGS);
        } catch (CommandLine.ParameterException e) {
            throw new CommandLine.ParameterException(e.getCommandLine(), e.getMessage() + " (in " + CMD_ARGS + ")");
        }
    }

    private static Given parse(String[] args, Source source) {
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
                    given.put(s, Boolean.TRUE, source);
                    break;
                case REPEATED:
                    given.put(s, new ArrayList<>(o.stringValues()), source);
                    break;
                default:
                    given.put(s, s.parse(o.stringValues().get(o.stringValues().size() - 1), source), source);
            }
        }
        if (r.hasMatchedPositional(0)) {
            given.app = r.matchedPositional(0).getValue();
        }
        return given;
    }

    private Given readConfig(String name, Source namedBy) {
        Path path;
        if (name != null) {
            path = cwd.resolve(name);
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw Settings.CONFIG.invalid(namedBy, name, Files.isDirectory(path) ? "a directory, not a file"
                        : Files.exists(path) ? "not readable" : "no such file");
            }
        } else {
            path = cwd.resolve(DEFAULT_CONFIG);
            if (!Files.isReadable(path)) {
                return new Given();
            }
        }
        Source source = Source.file(path);
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            String why = e instanceof java.nio.charset.CharacterCodingException ? "not UTF-8 text" : e.getMessage();
            throw new IllegalArgumentException("cannot read config file " + path + ": " + why, e);
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
            if (s.arity() == Setting.Arity.REPEATED) {
                List<String> items = Setting.splitList(value);
                given.put(s, items.isEmpty() ? List.of("") : items, source);   // 'bind =' is an empty value, not none
            } else {
                given.put(s, s.parse(value, source), source);
            }
        }
        return given;
    }

    /** What one source gave, and from where. */
    private static final class Given {
        final Map<Setting<?>, Object> values = new LinkedHashMap<>();
        final Map<Setting<?>, Source> sources = new LinkedHashMap<>();
        String app;

        void put(Setting<?> setting, Object value, Source source) {
            values.put(setting, value);
            sources.put(setting, source);
        }

        /** The other's values replace these. */
        void putAll(Given other) {
            values.putAll(other.values);
            sources.putAll(other.sources);
        }
    }
}
