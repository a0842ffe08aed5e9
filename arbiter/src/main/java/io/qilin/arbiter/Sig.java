package io.qilin.arbiter;

import java.util.Locale;

/** The signals the master handles. Handlers only queue them; the loop acts on them in order. */
enum Sig {
    HUP, INT, TERM, TTIN, TTOU, USR1, USR2, WINCH, CHLD,
    /** Not a signal: the control socket's nudge (Gunicorn's wakeup sentinel), so the loop runs its queued commands. */
    WAKEUP;

    /** False for {@link #WAKEUP}, which no process can send. */
    boolean isSignal() {
        return this != WAKEUP;
    }

    /** Lower case, as Gunicorn's "Handling signal: hup". */
    String lower() {
        return name().toLowerCase(Locale.ROOT);
    }
}
