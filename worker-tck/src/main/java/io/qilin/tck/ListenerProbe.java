package io.qilin.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Reads, from {@code /proc}, what a process did to a listening TCP socket: its O_NONBLOCK flag (on the
 * file description every holder shares) and, through {@code ss}, its backlog. Linux only.
 */
final class ListenerProbe {
    private static final int O_NONBLOCK = 04000;

    private final Path fdinfo;
    private final int port;

    private ListenerProbe(Path fdinfo, int port) {
        this.fdinfo = fdinfo;
        this.port = port;
    }

    /** The listening socket on 127.0.0.1:{@code port} as held by process {@code pid}. */
    static ListenerProbe of(long pid, int port) throws IOException {
        String inode = listeningInode(port);
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("socket:[" + inode + "]")) {
                        return new ListenerProbe(Path.of("/proc", Long.toString(pid), "fdinfo",
                                fd.getFileName().toString()), port);
                    }
                } catch (IOException closedMeanwhile) {
                    // not ours
                }
            }
        }
        throw new IOException("process " + pid + " holds no listening socket on port " + port);
    }

    /** Whether the shared file description is non-blocking. */
    boolean nonBlocking() {
        try {
            for (String line : Files.readAllLines(fdinfo)) {
                if (line.startsWith("flags:")) {
                    return (Integer.parseInt(line.substring(6).trim(), 8) & O_NONBLOCK) != 0;
                }
            }
            throw new IllegalStateException("no flags in " + fdinfo);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The socket's backlog as {@code ss} reports it (Send-Q of a listening socket); -1 without {@code ss}. */
    int backlog() {
        try {
            Process p = new ProcessBuilder("ss", "-ltnH", "sport = :" + port).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return -1;
            }
            for (String line : out.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[3].endsWith(":" + port)) {
                    return Integer.parseInt(f[2]);
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** How many connections wait in the socket's accept queue (rx_queue of a listening socket). */
    static int acceptQueue(int port) throws IOException {
        String[] entry = listeningEntry(port);
        return Integer.parseInt(entry[4].split(":")[1], 16);
    }

    private static String listeningInode(int port) throws IOException {
        return listeningEntry(port)[9];
    }

    private static String[] listeningEntry(int port) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X", port);
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(file))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].endsWith(local) && f[3].equals("0A")) {
                    return f;
                }
            }
        }
        throw new IOException("no listening socket on port " + port + " in /proc/net/tcp");
    }
}
