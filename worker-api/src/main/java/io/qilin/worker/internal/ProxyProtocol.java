package io.qilin.worker.internal;

import io.qilin.worker.protocol.AllowList;
import io.qilin.worker.protocol.WorkerEnv;
import io.qilin.worker.WorkerConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * {@code --proxy-protocol} and {@code --proxy-allow-from}, as every kind applies them: when on, a
 * connection is served only if it comes from an allowed peer (checked at the accept, before any byte
 * is trusted) and starts with a well-formed PROXY header ({@link ProxyHeader}); any other is closed
 * without a response, as HAProxy's {@code accept-proxy} does. A unix-socket peer is always allowed.
 */
public final class ProxyProtocol {
    private final boolean enabled;
    private final AllowList allowed;

    private ProxyProtocol(boolean enabled, AllowList allowed) {
        this.enabled = enabled;
        this.allowed = allowed;
    }

    public static ProxyProtocol fromConfig(WorkerConfig config) {
        return new ProxyProtocol(Boolean.parseBoolean(config.get(WorkerEnv.PROXY_PROTOCOL)),
                AllowList.of(config.get(WorkerEnv.PROXY_ALLOW_IPS)));
    }

    /** True when connections must start with a PROXY header. */
    public boolean enabled() {
        return enabled;
    }

    /** True when a connection from {@code peer} may be served: always with the protocol off. */
    public boolean accepts(SocketAddress peer) {
        return !enabled || !(peer instanceof InetSocketAddress)
                || allowed.allows(((InetSocketAddress) peer).getAddress());
    }
}
