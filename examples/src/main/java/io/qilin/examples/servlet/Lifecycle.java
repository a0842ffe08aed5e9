package io.qilin.examples.servlet;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the start and the end of the application in each worker: where a real application opens and
 * closes its pools. (The end is logged on TERM, on a reload and on a max-requests restart; the
 * it-tests look for these lines.) Through SLF4J, as Qilin logs: {@code ServletContext.log} goes to
 * Undertow's logger, which Qilin's default logging keeps at WARN.
 */
public class Lifecycle implements ServletContextListener {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    @Override
    public void contextInitialized(ServletContextEvent event) {
        log.info("hello servlets: contextInitialized in pid {}", ProcessHandle.current().pid());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        log.info("hello servlets: contextDestroyed in pid {}", ProcessHandle.current().pid());
    }
}
