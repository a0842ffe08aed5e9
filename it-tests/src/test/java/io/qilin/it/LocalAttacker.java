package io.qilin.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the file-safety ITs share: commands run to their end (as root or, through setpriv, as the
 * unprivileged user {@code nobody}), a fake control server run as {@code nobody}, and a snapshot of a
 * file's owner, mode and bytes to prove it untouched.
 */
final class LocalAttacker {
    static final int NOBODY = 65534;
    static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--");

    private LocalAttacker() {
    }

    static boolean root() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    static boolean nobodyExists() throws IOException {
        return Files.readString(Path.of("/etc/passwd")).contains("\nnobody:x:65534:");
    }

    /** A command's outcome. */
    static final class Result {
        final int code;
        final String out;
        final String err;

        Result(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** {@code bin/qilin ctl ARGS}, run to its end. */
    static Result ctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Qilin.HOME.resolve("bin/qilin").toString(), "ctl"));
        cmd.addAll(Arrays.asList(args));
        return run(cmd);
    }

    static Result run(List<String> cmd) {
        try {
            Path out = Files.createTempFile("cmd", ".out");
            Path err = Files.createTempFile("cmd", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(Qilin.BOOT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(cmd + " did not finish; stdout so far:\n" + Files.readString(out));
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code sh -c SCRIPT} as nobody; fails the test if it fails. */
    static void asNobody(String script) {
        List<String> cmd = new ArrayList<>(AS_NOBODY);
        cmd.addAll(List.of("sh", "-c", script));
        Result r = run(cmd);
        if (r.code != 0) {
            throw new AssertionError("as nobody: " + script + "\n" + r);
        }
    }

    /** A file root keeps to itself, in a directory of its own: 0600, known bytes. */
    static Path rootOnlyFile(Path dir, String name) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path f = dir.resolve(name);
        Files.writeString(f, "root only: " + name + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** Owner, group, mode and bytes of a file: equal before and after means untouched. */
    static String snapshot(Path f) throws IOException {
        Map<String, Object> a = Files.readAttributes(f, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
        return "uid=" + a.get("uid") + " gid=" + a.get("gid") + " mode=" + Integer.toOctalString((Integer) a.get("mode"))
                + " bytes=" + new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
    }

    /**
     * A stand-in for a master, run as nobody from a one-file Java program: it listens on {@code socket},
     * prints each request it gets, and answers every one with "Stopped".
     */
    static Process fakeMasterAsNobody(Path dir, Path socket) throws IOException {
        Path source = dir.resolve("FakeMaster.java");
        Files.writeString(source, String.join("\n",
                "import java.net.*; import java.nio.*; import java.nio.channels.*; import java.nio.file.*;",
                "public class FakeMaster {",
                "  public static void main(String[] a) throws Exception {",
                "    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);",
                "    s.bind(UnixDomainSocketAddress.of(Path.of(a[0])));",
                "    System.out.println(\"listening\");",
                "    while (true) {",
                "      try (SocketChannel c = s.accept()) {",
                "        ByteBuffer b = ByteBuffer.allocate(4096);",
                "        int n = c.read(b);",
                "        System.out.println(\"request: \" + (n > 0 ? new String(b.array(), 0, n) : \"(none)\"));",
                "        c.write(ByteBuffer.wrap(\"{\\\"ok\\\":true,\\\"message\\\":\\\"Stopped\\\"}\\n\".getBytes()));",
                "      } catch (java.io.IOException e) {",
                "        System.out.println(\"connection: \" + e);",
                "      }",
                "    }",
                "  }",
                "}", ""));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        Path out = dir.resolve("fake.out");
        List<String> cmd = new ArrayList<>(AS_NOBODY);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), source.toString(),
                socket.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        await().atMost(Qilin.BOOT).pollInterval(Duration.ofMillis(50)).alias("the fake master listening")
                .until(() -> read(out).contains("listening") || !p.isAlive());
        if (!p.isAlive()) {
            throw new AssertionError("the fake master did not start:\n" + read(out));
        }
        return p;
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits for {@code text} in a file the test reads itself (the master's log, moved aside). */
    static void awaitIn(Path file, String text) {
        await().atMost(Qilin.BOOT).pollInterval(Duration.ofMillis(50)).alias("'" + text + "' in " + file)
                .until(() -> read(file).contains(text));
    }
}
