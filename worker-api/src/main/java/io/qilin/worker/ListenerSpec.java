package io.qilin.worker;

import java.util.Objects;

/**
 * One inherited listening socket as the master describes it: its fd in the worker, its family and
 * the address it is bound to ({@code host:port}, {@code [v6]:port} or a unix socket path).
 */
public final class ListenerSpec {
    /** Address families a listener can have. */
    public enum Family { INET, INET6, UNIX }

    private final int fd;
    private final Family family;
    private final String address;

    public ListenerSpec(int fd, Family family, String address) {
        this.fd = fd;
        this.family = Objects.requireNonNull(family);
        this.address = Objects.requireNonNull(address);
    }

    public int fd() {
        return fd;
    }

    public Family family() {
        return family;
    }

    /** {@code host:port}, {@code [v6]:port} or, for {@link Family#UNIX}, the socket file's path. */
    public String address() {
        return address;
    }

    /** The port of a TCP listener; -1 for a unix socket. */
    public int port() {
        if (family == Family.UNIX) {
            return -1;
        }
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** The host of a TCP listener without brackets; null for a unix socket. */
    public String host() {
        if (family == Family.UNIX) {
            return null;
        }
        String h = address.substring(0, address.lastIndexOf(':'));
        return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    String format() {
        return fd + "," + family.name().toLowerCase(java.util.Locale.ROOT) + "," + address;
    }

    static ListenerSpec parse(String s) {
        String[] parts = s.split(",", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("bad listener spec: " + s);
        }
        return new ListenerSpec(Integer.parseInt(parts[0]),
                Family.valueOf(parts[1].toUpperCase(java.util.Locale.ROOT)), parts[2]);
    }

    @Override
    public String toString() {
        return family == Family.UNIX ? "unix:" + address : "http://" + address;
    }
}
