package io.qilin.worker.gthread;

import io.qilin.worker.internal.StrictHttp1;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Qilin's request rules ({@link StrictHttp1}) in front of Undertow's parser, which has no option for
 * most of them (obsolete line folding, control bytes in the method, unknown versions, strict chunk
 * framing): installed on each connection (after TLS) before Undertow sees it, it checks every byte
 * Undertow reads. Undertow gets the bytes before the first one that breaks a rule; its next read
 * answers the request itself ({@link StrictHttp1.Violation#response()}, written on the connection
 * beneath Undertow's conduits), closes the connection and reports the end of input.
 */
final class CheckedSourceConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private static final Logger log = LoggerFactory.getLogger(CheckedSourceConduit.class);

    private final StrictHttp1 rules;
    private final StreamConnection connection;
    private final StreamSinkConduit sink;
    private boolean answered;

    private CheckedSourceConduit(StreamConnection connection, boolean http2) {
        super(connection.getSourceChannel().getConduit());
        this.rules = new StrictHttp1(http2);
        this.connection = connection;
        this.sink = connection.getSinkChannel().getConduit();
    }

    /** Puts the check in front of whatever will read {@code connection}; call before Undertow sees it. */
    static void install(StreamConnection connection, boolean http2) {
        connection.getSourceChannel().setConduit(new CheckedSourceConduit(connection, http2));
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (rules.violation() != null) {
            answer();
            return -1;
        }
        int start = dst.position();
        int n = next.read(dst);
        if (n <= 0) {
            return n;
        }
        ByteBuffer read = dst.duplicate();
        read.position(start).limit(start + n);
        int fine = rules.scan(read);
        if (fine == n) {
            return n;
        }
        dst.position(start + fine);
        if (fine == 0) {
            answer();
            return -1;
        }
        next.wakeupReads(); // the bytes that broke the rule are consumed: make sure Undertow reads again
        return fine;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
        for (int i = offs; i < offs + len; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]);
            }
        }
        return 0;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        return Conduits.transfer(this, count, throughBuffer, target);
    }

    @Override
    public void awaitReadable() throws IOException {
        if (rules.violation() == null) {
            next.awaitReadable();
        }
    }

    @Override
    public void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
        if (rules.violation() == null) {
            next.awaitReadable(time, timeUnit);
        }
    }

    /**
     * Writes the refusal once, beneath Undertow's conduits, and closes. It is small and the first thing
     * written since the last response ended, so one non-blocking write nearly always takes it whole.
     */
    private void answer() {
        if (answered) {
            return;
        }
        answered = true;
        StrictHttp1.Violation v = rules.violation();
        log.warn("Invalid request from {}: {}", connection.getPeerAddress(), v.reason());
        try {
            ByteBuffer response = ByteBuffer.wrap(v.response());
            sink.write(response);
            sink.terminateWrites();
            sink.flush();
        } catch (IOException e) {
            log.debug("could not answer an invalid request: {}", e.toString());
        }
        IoUtils.safeClose(connection);
    }
}
