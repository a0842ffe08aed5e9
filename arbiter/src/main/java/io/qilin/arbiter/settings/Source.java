package io.qilin.arbiter.settings;

import java.nio.file.Path;

/**
 * Where a setting's value came from, as an error message names it: "the command line",
 * "QILIN_CMD_ARGS", a config file's path, or an environment variable such as "$WEB_CONCURRENCY".
 */
public record Source(String description) {
    public static final Source COMMAND_LINE = new Source("the command line");
    public static final Source CMD_ARGS = new Source(SettingsLoader.CMD_ARGS);
    /** A value nobody gave: the setting's default. */
    public static final Source DEFAULT = new Source("the default");

    static Source file(Path path) {
        return new Source(path.toString());
    }

    static Source environment(String variable) {
        return new Source("$" + variable);
    }

    @Override
    public String toString() {
        return description;
    }
}
