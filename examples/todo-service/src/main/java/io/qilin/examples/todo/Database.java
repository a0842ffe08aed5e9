package io.qilin.examples.todo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool of one worker, opened when the servlet context starts (before the worker is
 * ready, so a database that cannot be reached fails the boot and a reload rolls back) and closed when
 * it ends: on TERM, on a reload and on a max-requests restart, once the worker has drained.
 *
 * <p>Migrations: every worker runs Flyway's {@code migrate} as it starts. Flyway holds a PostgreSQL
 * advisory lock ({@code pg_advisory_lock}) while it migrates, so the first worker applies the
 * migrations and the others, waiting on the lock, then find them applied and do nothing.
 *
 * <p>Configured from the environment (give it with {@code qilin -e KEY=VALUE} or export it):
 * {@code TODO_DATABASE_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/postgres}),
 * {@code TODO_DATABASE_USER} (default {@code postgres}), {@code TODO_DATABASE_PASSWORD},
 * {@code TODO_POOL_SIZE} (default 4).
 */
public final class Database implements ServletContextListener {
    /** The application_name of this worker's connections in pg_stat_activity; it carries the pid. */
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    static final String APPLICATION_NAME = "todo-service pid " + ProcessHandle.current().pid();

    private final Map<String, String> env;
    private volatile HikariDataSource pool;

    public Database(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(env.getOrDefault("TODO_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/postgres"));
        config.setUsername(env.getOrDefault("TODO_DATABASE_USER", "postgres"));
        config.setPassword(env.get("TODO_DATABASE_PASSWORD"));
        config.setMaximumPoolSize(Integer.parseInt(env.getOrDefault("TODO_POOL_SIZE", "4")));
        config.setPoolName("todo-" + ProcessHandle.current().pid());
        config.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
        pool = new HikariDataSource(config); // fails at once when the database cannot be reached
        Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        log.info("todo-service: pool {} open on {}", config.getPoolName(), config.getJdbcUrl());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        HikariDataSource open = pool;
        if (open != null) {
            open.close();
            log.info("todo-service: pool {} closed", open.getPoolName());
        }
    }

    DataSource dataSource() {
        DataSource open = pool;
        if (open == null) {
            throw new IllegalStateException("the database pool is not open");
        }
        return open;
    }

    /** True when the database answers a query within a second. */
    boolean healthy() {
        try (Connection c = dataSource().getConnection()) {
            return c.isValid(1);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }
}
