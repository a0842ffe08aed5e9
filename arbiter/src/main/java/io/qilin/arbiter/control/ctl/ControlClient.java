package io.qilin.arbiter.control.ctl;

import io.qilin.arbiter.control.Json;
import io.qilin.arbiter.files.SafeFiles;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;

/** One connection to a master's control socket: a request line out, event lines and a final line back. */
final class ControlClient implements Closeable {
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private ControlClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Connects, and talks on only if the server runs as this process's own user (SO_PEERCRED): a master
     * serves only its own user, so a socket served by anyone else is a squatter's, waiting to be told
     * "stop" and to answer "Stopped" while the real master runs on.
     */
    static ControlClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        UserPrincipal server;
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            server = ch.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to the control socket " + socket + ": " + e.getMessage(), e);
        }
        UserPrincipal me = FileSystems.getDefault().getUserPrincipalLookupService()
                .lookupPrincipalByName(Integer.toString(SafeFiles.euid()));
        if (!server.equals(me)) {
            ch.close();
            throw new IOException("refusing the control socket " + socket + ": it is served by user " + server.getName()
                    + ", not by " + userName() + " (qilin ctl talks only to a master of its own user)");
        }
        return new ControlClient(ch);
    }

    private static String userName() {
        String name = System.getProperty("user.name");
        return name == null ? "uid " + SafeFiles.euid() : name;
    }

    /**
     * Sends one request; hands each event line to {@code events}; returns the final line (the one with
     * {@code ok}).
     */
    Map<String, Object> request(Map<String, Object> request, Consumer<Map<String, Object>> events) throws IOException {
        try {
            out.write((Json.write(request) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // a refused connection is closed at once; its reason may still be waiting to be read
            Map<String, Object> reason = next();
            if (reason != null) {
                return reason;
            }
            throw e;
        }
        while (true) {
            Map<String, Object> line = next();
            if (line == null) {
                throw new IOException("the master closed the connection before answering");
            }
            if (line.containsKey("ok")) {
                return line;
            }
            events.accept(line);
        }
    }

    /** Waits until the master closes the connection (it does when it exits). */
    void awaitClose() throws IOException {
        while (in.readLine() != null) {
            // nothing else is expected
        }
    }

    private Map<String, Object> next() throws IOException {
        String line = in.readLine();
        return line == null ? null : Json.parseObject(line);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
