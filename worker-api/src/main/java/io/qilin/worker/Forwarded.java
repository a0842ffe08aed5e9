package io.qilin.worker;

import io.qilin.worker.protocol.AllowList;
import io.qilin.worker.protocol.WorkerEnv;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Proxy headers from trusted front ends ({@code --forwarded-allow-ips}): the client's address from
 * {@code X-Forwarded-For} and the scheme from {@code --secure-scheme-headers} (Gunicorn's: by default
 * {@code X-Forwarded-Protocol: ssl}, {@code X-Forwarded-Proto: https} or {@code X-Forwarded-Ssl: on}
 * mean https); from anyone else they are ignored. Kinds give the application the result as the
 * exchange's remote address and as the attribute {@value #SCHEME_ATTRIBUTE}.
 */
public final class Forwarded {
    /** The exchange attribute holding {@code http} or {@code https}. */
    public static final String SCHEME_ATTRIBUTE = "qilin.scheme";
    /** Gunicorn's default {@code secure_scheme_headers}. */
    public static final String DEFAULT_SECURE_SCHEME_HEADERS = WorkerEnv.SECURE_SCHEME_HEADERS.fallback();

    private final AllowList trusted;
    /** Header name to the value that means https, in the order given. */
    private final Map<String, String> secureSchemeHeaders;

    private Forwarded(String allowIps, String secureSchemeHeaders) {
        this.trusted = AllowList.of(allowIps);
        this.secureSchemeHeaders = parseSchemeHeaders(secureSchemeHeaders);
    }

    public static Forwarded fromConfig(WorkerConfig config) {
        return new Forwarded(config.get(WorkerEnv.FORWARDED_ALLOW_IPS), config.get(WorkerEnv.SECURE_SCHEME_HEADERS));
    }

    /**
     * {@code NAME=VALUE,...} as a map; an entry without {@code =} is left out (the master refuses one).
     * Empty or {@code none}: no header marks a request https.
     */
    public static Map<String, String> parseSchemeHeaders(String list) {
        Map<String, String> out = new LinkedHashMap<>();
        if (list.trim().equalsIgnoreCase("none")) {
            return out;
        }
        for (String entry : list.split(",")) {
            int eq = entry.indexOf('=');
            if (eq > 0 && !entry.substring(0, eq).trim().isEmpty() && !entry.substring(eq + 1).trim().isEmpty()) {
                out.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
            }
        }
        return out;
    }

    /** True when {@code peer} may set proxy headers; a unix-socket peer (null) may, as in Gunicorn. */
    public boolean trusts(InetAddress peer) {
        return trusted.allows(peer);
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

    /**
     * {@code https} on a TLS connection; else, from a trusted peer, as the first of the secure scheme
     * headers present says (its https value, compared ignoring case, or anything else for http);
     * else {@code http}.
     */
    public String scheme(InetSocketAddress peer, Function<String, String> header, boolean tls) {
        if (tls) {
            return "https";
        }
        if (secureSchemeHeaders.isEmpty() || !trusts(peer == null ? null : peer.getAddress())) {
            return "http";
        }
        for (Map.Entry<String, String> h : secureSchemeHeaders.entrySet()) {
            String value = header.apply(h.getKey());
            if (value != null) {
                return value.trim().equalsIgnoreCase(h.getValue()) ? "https" : "http";
            }
        }
        return "http";
    }
}
