package io.qilin.arbiter.settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code docs/settings.md} from the registry. A unit test fails when the file in the tree is
 * out of date; {@code main} regenerates it.
 */
public final class SettingsReference {
    private SettingsReference() {
    }

    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Settings reference\n\n")
                .append("Generated from the settings registry (`io.qilin.arbiter.settings.Settings`); do not edit by hand.\n\n")
                .append("Each setting can be given, from lowest to highest precedence, by its default, the config file ")
                .append("(`-c FILE`, else `./qilin.properties` when it exists; keys are the names below, with `_` or `-`, ")
                .append("lists comma-separated), the `QILIN_CMD_ARGS` environment variable (command-line flags), and ")
                .append("the command line. `$PORT` and `$WEB_CONCURRENCY` give the defaults of bind and workers; when ")
                .append("used, they are checked as any given value. A bad value (out of range, wrong form, a file that is missing or unusable) stops the ")
                .append("start with one line naming the setting and where the value came from, such as ")
                .append("`qilin: error: Invalid value for workers from /etc/qilin.properties: abc (not a whole number)`; ")
                .append("[bad-input.md](bad-input.md) lists every case.\n");
        String section = null;
        for (Setting<?> s : Settings.ALL) {
            if (!s.section().equals(section)) {
                section = s.section();
                sb.append("\n## ").append(section).append("\n\n| name | flags | default | meaning |\n|---|---|---|---|\n");
            }
            String flags = String.join(", ", s.flags()) + (s.metavar() == null ? "" : " " + s.metavar());
            sb.append("| `").append(s.name()).append("` | `").append(flags).append("` | ")
                    .append(s.defaultText().isEmpty() ? "" : "`" + s.defaultText() + "`").append(" | ")
                    .append(s.helpWithRange().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    /** Regenerates the file: {@code SettingsReference docs/settings.md}. */
    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args.length > 0 ? args[0] : "docs/settings.md"), markdown(), StandardCharsets.UTF_8);
    }
}
