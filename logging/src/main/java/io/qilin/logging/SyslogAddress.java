package io.qilin.logging;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where {@code --log-syslog} sends: Gunicorn's {@code syslog_addr} forms, {@code udp://HOST:PORT},
 * {@code tcp://HOST:PORT} (port 514 when left out, {@code [v6]} hosts allowed) and {@code unix://PATH}.
 * A unix socket is written as a stream socket: JDK 17 has no unix datagram channel.
 */
public record SyslogAddress(Transport transport, String host, int port, Path path) {
    public static final int DEFAULT_PORT = 514;

    /** How the lines travel. */
    public enum Transport { UDP, TCP, UNIX }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException whose message says what is wrong
     */
    public static SyslogAddress parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.startsWith("unix://")) {
            String path = t.substring("unix://".length());
            int hash = path.indexOf('#');   // Gunicorn's '#dgram' / '#stream' suffix
            if (hash >= 0) {
                if (path.substring(hash + 1).equals("dgram")) {
                    throw invalid("unix datagram sockets cannot be written from JDK 17; use udp:// or a stream socket");
                }
                path = path.substring(0, hash);
            }
            if (path.isEmpty()) {
                throw invalid("no socket path");
            }
            return new SyslogAddress(Transport.UNIX, null, 0, Path.of(path));
        }
        Transport transport;
        if (t.startsWith("udp://")) {
            transport = Transport.UDP;
        } else if (t.startsWith("tcp://")) {
            transport = Transport.TCP;
        } else {
            throw invalid("expected udp://HOST:PORT, tcp://HOST:PORT or unix://PATH");
        }
        String rest = t.substring("udp://".length());
        String host;
        String port = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw invalid("unclosed [");
            }
            host = rest.substring(1, close);
            if (rest.length() > close + 1) {
                if (rest.charAt(close + 1) != ':') {
                    throw invalid("expected :PORT after ]");
                }
                port = rest.substring(close + 2);
            }
        } else {
            int colon = rest.indexOf(':');
            host = colon < 0 ? rest : rest.substring(0, colon);
            port = colon < 0 ? null : rest.substring(colon + 1);
        }
        if (host.isEmpty()) {
            host = "localhost";
        }
        return new SyslogAddress(transport, host.toLowerCase(Locale.ROOT), port == null ? DEFAULT_PORT : port(port), null);
    }

    private static int port(String port) {
        try {
            int p = Integer.parseInt(port);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw invalid("'" + port + "' is not a port number");
    }

    private static IllegalArgumentException invalid(String why) {
        return new IllegalArgumentException(why);
    }

    @Override
    public String toString() {
        return transport == Transport.UNIX ? "unix://" + path
                : transport.name().toLowerCase(Locale.ROOT) + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
