package io.qilin.arbiter.listen;

import java.util.Locale;

/**
 * One {@code --bind} value, parsed as Gunicorn parses it: {@code HOST:PORT}, {@code [v6]:PORT},
 * {@code HOST} (port 8000), {@code unix:PATH} (or {@code unix://PATH}), {@code fd://N}, with an
 * optional {@code tcp://} or {@code http://} prefix.
 */
public final class BindAddress {
    /** What kind of address this is. */
    public enum Kind { TCP, UNIX, FD }

    private final Kind kind;
    private final String host;
    private final int port;
    private final String path;
    private final int fd;

    private BindAddress(Kind kind, String host, int port, String path, int fd) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.path = path;
        this.fd = fd;
    }

    /** @throws IllegalArgumentException with a message naming the bad value */
    public static BindAddress parse(String value) {
        String v = value.trim();
        if (v.startsWith("unix:")) {
            String path = v.startsWith("unix://") ? v.substring(7) : v.substring(5);
            if (path.isEmpty()) {
                throw new IllegalArgumentException("'" + value + "' names no socket path");
            }
            return new BindAddress(Kind.UNIX, null, -1, path, -1);
        }
        if (v.startsWith("fd://")) {
            try {
                int fd = Integer.parseInt(v.substring(5));
                if (fd < 0) {
                    throw new NumberFormatException();
                }
                return new BindAddress(Kind.FD, null, -1, null, fd);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + v.substring(5) + "' is not a valid file descriptor");
            }
        }
        for (String prefix : new String[] {"tcp://", "http://"}) {
            if (v.startsWith(prefix)) {
                v = v.substring(prefix.length());
            }
        }
        String host;
        String portText = null;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + value + "' has an unclosed '['");
            }
            host = v.substring(1, close);
            String rest = v.substring(close + 1);
            if (rest.startsWith(":")) {
                portText = rest.substring(1);
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("'" + value + "' is not a valid address");
            }
        } else {
            int colon = v.lastIndexOf(':');
            if (colon >= 0) {
                host = v.substring(0, colon);
                portText = v.substring(colon + 1);
            } else {
                host = v;
            }
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int port = 8000;
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("'" + portText + "' is not a valid port number");
            }
        }
        return new BindAddress(Kind.TCP, host.toLowerCase(Locale.ROOT), port, null, -1);
    }

    public Kind kind() {
        return kind;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String path() {
        return path;
    }

    public int fd() {
        return fd;
    }

    @Override
    public String toString() {
        switch (kind) {
            case UNIX:
                return "unix:" + path;
            case FD:
                return "fd://" + fd;
            default:
                return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BindAddress && o.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
