package io.qilin.worker;

import io.qilin.worker.protocol.WorkerEnv;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Proxy headers from trusted front ends ({@code --forwarded-allow-ips}): the client's address from
 * {@code X-Forwarded-For} and the scheme from {@code X-Forwarded-Proto}; from anyone else they are
 * ignored. Kinds give the application the result as the exchange's remote address and as the
 * attribute {@value #SCHEME_ATTRIBUTE}.
 */
public final class Forwarded {
    /** The exchange attribute holding {@code http} or {@code https}. */
    public static final String SCHEME_ATTRIBUTE = "qilin.scheme";

    /** The allowed addresses, resolved once: a name here must not cost a DNS lookup per request. */
    private final List<InetAddress> trusted = new ArrayList<>();
    private final boolean trustAll;

    private Forwarded(String allowIps) {
        List<String> entries = List.of(allowIps.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toList());
        this.trustAll = entries.contains("*");
        for (String ip : entries) {
            try {
                trusted.add(InetAddress.getByName(ip));
            } catch (java.net.UnknownHostException e) {
                // a bad entry trusts nobody
            }
        }
    }

    public static Forwarded fromConfig(WorkerConfig config) {
        return new Forwarded(config.get(WorkerEnv.FORWARDED_ALLOW_IPS));
    }

    /** True when {@code peer} may set proxy headers. */
    public boolean trusts(InetAddress peer) {
        if (trustAll) {
            return true;
        }
        if (peer == null) {
            return true; // a unix-socket peer, trusted as by Gunicorn
        }
        return trusted.contains(peer);
    }

    /**
     * The client's address: from a trusted peer, the right-most {@code X-Forwarded-For} entry that is
     * not itself trusted; else the peer.
     */
    public InetSocketAddress remote(InetSocketAddress peer, Function<String, String> header) {
        String xff = header.apply("X-Forwarded-For");
        InetAddress peerAddress = peer == null ? null : peer.getAddress();
        if (xff == null || !trusts(peerAddress)) {
            return peer;
        }
        String[] hops = xff.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            try {
                InetAddress a = InetAddress.getByName(hop.startsWith("[") ? hop.substring(1, hop.indexOf(']')) : hop);
                if (i == 0 || !trusts(a)) {
                    return new InetSocketAddress(a, 0);
                }
            } catch (java.net.UnknownHostException | RuntimeException e) {
                return peer; // not an address: ignore the header
            }
        }
        return peer;
    }

    /** {@code https} on a TLS connection, or when a trusted peer says so; else {@code http}. */
    public String scheme(InetSocketAddress peer, Function<String, String> header, boolean tls) {
        if (tls) {
            return "https";
        }
        String proto = header.apply("X-Forwarded-Proto");
        String ssl = header.apply("X-Forwarded-Ssl");
        if ((proto == null && ssl == null) || !trusts(peer == null ? null : peer.getAddress())) {
            return "http";
        }
        boolean https = (proto != null && proto.trim().toLowerCase(Locale.ROOT).equals("https"))
                || (ssl != null && ssl.trim().equalsIgnoreCase("on"));
        return https ? "https" : "http";
    }
}
