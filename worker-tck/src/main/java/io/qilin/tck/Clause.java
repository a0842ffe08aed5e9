package io.qilin.tck;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The numbered clauses of the worker contract, as {@link WorkerKindTck} checks them. The contract is
 * versioned with {@code qilin-worker-api}: a kind that passes this kit of version V keeps the
 * contract of worker API V.
 */
public enum Clause {
    C1_READY("A kind calls notifyAlive() for the first time only once it accepts connections: when the master"
            + " reports the worker ready, a new connection is accepted at once (within 1 s)."),
    C2_RELOAD("On HUP the old worker stops accepting and finishes what it holds while its replacement serves:"
            + " a client under load sees no failed request."),
    C3_DRAIN("On TERM (handleExit) a kind stops accepting, serves every request in flight and every connection"
            + " already waiting on the listener (accepted by the kernel), then returns from run(): the worker"
            + " exits 0 before --graceful-timeout and no waiting client is reset or left hanging."),
    C4_QUICK("On INT (handleQuit) the worker exits at once, cutting requests in flight; --graceful-timeout does not apply."),
    C5_HEARTBEAT("notifyAlive() comes from the thread that reads and dispatches requests (the one that calls"
            + " requestStarted), never from a timer: when that thread hangs the beats stop, the master sends ABRT"
            + " after --timeout, and the worker logs a full thread dump naming the hung thread and exits 1 within 1 s."),
    C6_REOPEN("Access lines go through io.qilin.worker.AccessLog and log lines through SLF4J, so USR1 (handleReopen)"
            + " moves both to freshly opened files."),
    C7_RECYCLE("A kind calls requestStarted and requestFinished for every request; after --max-requests the worker"
            + " serves on until the master has its replacement ready, then stops as on TERM, and no request fails"
            + " meanwhile."),
    C8_ORPHAN("A kind keeps nothing that outlives the master: the worker exits within 1 s of the master's SIGKILL."),
    C9_LIMITS("Requests over --limit-request-line, --limit-request-fields or --limit-request-field-size, and malformed"
            + " requests, are answered with a 4xx status, and the same worker goes on serving."),
    C10_LISTENER("The inherited listening sockets are the master's: a kind accepts on them but never changes them."
            + " They stay non-blocking (O_NONBLOCK is shared by every process that holds the socket) and are never"
            + " bound or listen()ed again (the backlog stays --backlog)."),
    C11_STRICT_HTTP1("Every kind applies Qilin's HTTP/1.1 request rules (docs/strict-parsing.md): a request that breaks"
            + " one (obsolete line folding, a bad method, version, field name or value, conflicting or malformed"
            + " Content-Length and Transfer-Encoding, bad chunk framing, a duplicate or missing Host) is answered with a"
            + " status line, 400 (501 for an unknown transfer coding), and Connection: close, and the connection is"
            + " closed; valid requests near each rule are served.");

    /** The version of the worker API whose contract this kit checks. */
    public static final String CONTRACT_VERSION = readVersion();

    private final String text;

    Clause(String text) {
        this.text = text;
    }

    /** The clause as the contract states it. */
    public String text() {
        return text;
    }

    /** The clause's short name, for example {@code C3}. */
    public String number() {
        return name().substring(0, name().indexOf('_'));
    }

    /** An assertion failure: what the kind did, the clause it breaks, and where the master's log is. */
    AssertionError violated(String whatTheKindDid, Master master) {
        return new AssertionError(whatTheKindDid + "\n  breaks Qilin worker contract " + CONTRACT_VERSION + ", clause "
                + number() + ": " + text + (master == null ? "" : "\n  master and worker log: " + master.logFile()));
    }

    private static String readVersion() {
        try (InputStream in = Clause.class.getResourceAsStream("/qilin-tck.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
