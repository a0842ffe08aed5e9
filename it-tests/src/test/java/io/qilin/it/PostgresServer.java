package io.qilin.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for one test, from the operating system's package (Debian:
 * {@code postgresql}, binaries under {@code /usr/lib/postgresql/<version>/bin}): {@code initdb} into a
 * temporary folder, {@code pg_ctl start} on a free port of 127.0.0.1, trust authentication, user
 * {@code postgres}. initdb refuses to run as root, so as root both run as the {@code postgres} user
 * (else {@code nobody}) through {@code runuser}. Where PostgreSQL is not installed the test is skipped
 * with the reason, except under {@code CI=true}, where it fails: {@code .ci/run} installs it.
 */
final class PostgresServer implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final String user;
    final int port;

    private PostgresServer(Path bin, Path dir, String user, int port) {
        this.bin = bin;
        this.dir = dir;
        this.user = user;
        this.port = port;
    }

    /** Starts a fresh server, or skips the test (fails it under CI=true) when PostgreSQL is missing. */
    static PostgresServer start() throws IOException, InterruptedException {
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            String why = "PostgreSQL is not installed (no initdb and pg_ctl on PATH or under /usr/lib/postgresql/*/bin): "
                    + "apt-get install -y postgresql";
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; .ci/run should have installed it");
            }
            assumeTrue(false, why);
        }
        String user = isRoot() ? (userExists("postgres") ? "postgres" : "nobody") : null;
        Path dir = Files.createTempDirectory("qilin-pg");
        if (user != null) {
            run(List.of("chown", user, dir.toString()));
        }
        int port = Qilin.freePort();
        PostgresServer server = new PostgresServer(bin.get(), dir, user, port);
        server.as(List.of(bin.get().resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
                "-U", "postgres", "-E", "UTF8", "--no-sync"));
        server.as(List.of(bin.get().resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "120", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off",
                "start"));
        return server;
    }

    /** The folder of initdb and pg_ctl: PATH first, then Debian's newest /usr/lib/postgresql/VERSION/bin. */
    private static Optional<Path> binaries() throws IOException {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path d = Path.of(entry.isEmpty() ? "." : entry);
            if (Files.isExecutable(d.resolve("initdb")) && Files.isExecutable(d.resolve("pg_ctl"))) {
                return Optional.of(d.resolve("initdb").toRealPath().getParent());
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(debian)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(debian)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(PostgresServer::majorVersion));
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\..*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        return output(List.of("id", "-u")).trim().equals("0");
    }

    private static boolean userExists(String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("id", "-u", name).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "");
    }

    /** Runs a command as the server's user. */
    private void as(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (user != null) {
            full.addAll(List.of("runuser", "-u", user, "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
    }

    private static String output(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** Stops the server at once and removes its folder. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            as(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
                    "stop"));
        } finally {
            run(List.of("rm", "-rf", dir.toString()));
        }
    }
}
