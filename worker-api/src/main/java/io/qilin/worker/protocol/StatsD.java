package io.qilin.worker.protocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * Gunicorn's StatsD metrics ({@code --statsd-host}, {@code --statsd-prefix}): one UDP datagram per
 * metric, fire and forget; a send that fails is dropped, as with every StatsD client.
 */
public final class StatsD {
    private final DatagramChannel channel;
    private final InetSocketAddress target;
    private final String prefix;

    private StatsD(DatagramChannel channel, InetSocketAddress target, String prefix) {
        this.channel = channel;
        this.target = target;
        this.prefix = prefix;
    }

    /** A client for {@code host:port}, or null when {@code hostPort} is empty. */
    public static StatsD connect(String hostPort, String prefix) {
        if (hostPort == null || hostPort.isBlank()) {
            return null;
        }
        int colon = hostPort.lastIndexOf(':');
        String host = colon > 0 ? hostPort.substring(0, colon) : hostPort;
        int port = colon > 0 ? Integer.parseInt(hostPort.substring(colon + 1)) : 8125;
        try {
            return new StatsD(DatagramChannel.open(), new InetSocketAddress(host, port),
                    prefix == null || prefix.isEmpty() ? "" : prefix.endsWith(".") ? prefix : prefix + ".");
        } catch (IOException e) {
            return null;
        }
    }

    public void increment(String name) {
        send(name + ":1|c");
    }

    public void gauge(String name, long value) {
        send(name + ":" + value + "|g");
    }

    public void timing(String name, long millis) {
        send(name + ":" + millis + "|ms");
    }

    private void send(String metric) {
        try {
            channel.send(ByteBuffer.wrap((prefix + metric).getBytes(StandardCharsets.US_ASCII)), target);
        } catch (IOException | RuntimeException e) {
            // dropped, as StatsD's UDP always may be
        }
    }
}
