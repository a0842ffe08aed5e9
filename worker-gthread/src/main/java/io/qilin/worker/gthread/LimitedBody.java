package io.qilin.worker.gthread;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body that fails with {@link TooLarge} once more than {@code --limit-request-body} bytes
 * have been read, so a portable application's chunked upload over the limit is answered with 413.
 * Undertow's {@code MAX_ENTITY_SIZE} stops it a little later, for native handlers, by closing the connection.
 */
final class LimitedBody extends FilterInputStream {
    private final long limit;
    private long read;

    private LimitedBody(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    /** The body itself when there is no limit. */
    static InputStream of(InputStream in, long limit) {
        return limit > 0 ? new LimitedBody(in, limit) : in;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(int n) throws TooLarge {
        read += n;
        if (read > limit) {
            throw new TooLarge(limit);
        }
    }

    /** The body went over the limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long limit) {
            super("the request body is larger than --limit-request-body (" + limit + " bytes)");
        }
    }
}
