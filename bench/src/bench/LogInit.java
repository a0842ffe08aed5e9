package bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker pays to start logging: SLF4J + Logback as Qilin configures it (in code), or from
 * -Dlogback.configurationFile, then one line logged. Compare with the empty main (Noop).
 */
public final class LogInit {
    public static void main(String[] args) {
        System.setProperty("qilin.pid", Long.toString(ProcessHandle.current().pid()));
        Logger log = LoggerFactory.getLogger(LogInit.class);
        log.debug("logging is up");
    }
}
