package io.qilin.arbiter;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that starts a master like this one, for USR2: {@code bin/qilin} with the same arguments
 * when running from a distribution (so an upgraded installation's launcher and jars are used), else
 * this JVM's own command line.
 */
final class MasterCommand {
    private MasterCommand() {
    }

    static List<String> relaunch(List<String> args) {
        List<String> cmd = new ArrayList<>();
        String home = System.getProperty("qilin.home");
        Path launcher = home == null ? null : Path.of(home, "bin", "qilin");
        if (launcher != null && Files.isExecutable(launcher)) {
            cmd.add(launcher.toString());
        } else {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Main.class.getName());
        }
        cmd.addAll(args);
        return cmd;
    }
}
