package io.qilin.arbiter.control;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a master's control socket is: {@code --control-socket}, else {@code <pidfile>.ctl} beside the
 * pidfile, else {@code $XDG_RUNTIME_DIR/qilin-<pid>.ctl}, else {@code <java.io.tmpdir>/qilin-<pid>.ctl}.
 * The master and {@code qilin ctl} both use these rules.
 */
public final class ControlPaths {
    private static final Pattern BY_PID = Pattern.compile("qilin-(\\d+)\\.ctl");

    private ControlPaths() {
    }

    /** The master's socket path. */
    public static Path of(String setting, Path pidfile, long pid, Map<String, String> env) {
        if (setting != null && !setting.isBlank()) {
            return Path.of(setting).toAbsolutePath();
        }
        if (pidfile != null) {
            return besidePidfile(pidfile);
        }
        return dirs(env).get(0).resolve("qilin-" + pid + ".ctl");
    }

    /** {@code <pidfile>.ctl}. */
    public static Path besidePidfile(Path pidfile) {
        Path abs = pidfile.toAbsolutePath();
        return abs.resolveSibling(abs.getFileName() + ".ctl");
    }

    /** Where a master with this pidfile may have its socket, most likely first (for {@code ctl --pid}). */
    public static List<Path> candidates(Path pidfile, long pid, Map<String, String> env) {
        List<Path> out = new ArrayList<>();
        out.add(besidePidfile(pidfile));
        for (Path dir : dirs(env)) {
            out.add(dir.resolve("qilin-" + pid + ".ctl"));
        }
        return out;
    }

    /** Sockets named after a live process in the default directories: running masters without a pidfile. */
    public static List<Path> running(Map<String, String> env) {
        List<Path> out = new ArrayList<>();
        for (Path dir : dirs(env)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "qilin-*.ctl")) {
                for (Path f : files) {
                    Matcher m = BY_PID.matcher(f.getFileName().toString());
                    if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isPresent()) {
                        out.add(f);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a missing or unreadable directory holds no master of ours
            }
        }
        return out;
    }

    /** $XDG_RUNTIME_DIR when set, then java.io.tmpdir. */
    private static List<Path> dirs(Map<String, String> env) {
        Set<Path> dirs = new LinkedHashSet<>();
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            dirs.add(Path.of(xdg).toAbsolutePath());
        }
        dirs.add(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
        return new ArrayList<>(dirs);
    }
}
