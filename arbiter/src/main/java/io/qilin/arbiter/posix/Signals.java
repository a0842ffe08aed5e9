package io.qilin.arbiter.posix;

import java.util.Locale;

/** Linux signal numbers, and their names for log lines. */
public final class Signals {
    public static final int HUP = 1;
    public static final int INT = 2;
    public static final int QUIT = 3;
    public static final int ABRT = 6;
    public static final int KILL = 9;
    public static final int USR1 = 10;
    public static final int USR2 = 12;
    public static final int TERM = 15;
    public static final int CHLD = 17;
    /** Linux's SIGINFO where it has one: workers write a thread dump for {@code qilin ctl dump}. */
    public static final int PWR = 30;

    private static final String[] NAMES = {"0", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
        "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
        "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

    private Signals() {
    }

    /** {@code SIGKILL} for 9. */
    public static String name(int signal) {
        return signal > 0 && signal < NAMES.length ? "SIG" + NAMES[signal] : "signal " + signal;
    }

    /** The number of a signal name such as {@code TERM} or {@code SIGTERM}; -1 if unknown. */
    public static int number(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) {
            n = n.substring(3);
        }
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(n)) {
                return i;
            }
        }
        return -1;
    }
}
