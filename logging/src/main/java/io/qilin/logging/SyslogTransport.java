package io.qilin.logging;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;

/**
 * Sends syslog messages to a {@link SyslogAddress}: one datagram each over UDP; over TCP or a unix
 * stream socket, one line each (RFC 6587's newline framing), reconnecting once when the peer has gone.
 */
final class SyslogTransport implements Closeable {
    private final SyslogAddress address;
    private final SocketAddress target;
    private DatagramChannel datagrams;
    private SocketChannel stream;

    /** Resolves the address and, for a stream, connects. */
    SyslogTransport(SyslogAddress address) throws IOException {
        this.address = address;
        if (address.transport() == SyslogAddress.Transport.UNIX) {
            target = UnixDomainSocketAddress.of(address.path());
        } else {
            InetSocketAddress inet = new InetSocketAddress(address.host(), address.port());
            if (inet.isUnresolved()) {
                throw new IOException("cannot resolve host '" + address.host() + "'");
            }
            target = inet;
        }
        if (address.transport() == SyslogAddress.Transport.UDP) {
            datagrams = DatagramChannel.open();
        } else {
            try {
                connect();
            } catch (IOException e) {
                throw new IOException("cannot connect: " + e.getMessage(), e);
            }
        }
    }

    /** Sends one message (without framing); an I/O error when it could not be delivered. */
    synchronized void send(byte[] message) throws IOException {
        if (datagrams != null) {
            datagrams.send(ByteBuffer.wrap(message), target);
            return;
        }
        ByteBuffer framed = ByteBuffer.allocate(message.length + 1).put(message).put((byte) '\n').flip();
        try {
            writeFully(framed);
        } catch (IOException e) {
            closeStream();
            connect();   // the server restarted: once more on a new connection
            writeFully(framed.rewind());
        }
    }

    private void connect() throws IOException {
        stream = SocketChannel.open(target);
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        if (stream == null) {
            throw new IOException("not connected to " + address);
        }
        while (buffer.hasRemaining()) {
            stream.write(buffer);
        }
    }

    private void closeStream() {
        try {
            if (stream != null) {
                stream.close();
            }
        } catch (IOException ignored) {
            // closing a broken connection
        }
        stream = null;
    }

    @Override
    public synchronized void close() throws IOException {
        closeStream();
        if (datagrams != null) {
            datagrams.close();
        }
    }
}
