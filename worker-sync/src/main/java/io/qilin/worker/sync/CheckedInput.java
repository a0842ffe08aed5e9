package io.qilin.worker.sync;

import io.qilin.worker.internal.StrictHttp1;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A connection's input as httpcore5 reads it, checked on the way by Qilin's request rules
 * ({@link StrictHttp1}): the bytes before the first one that breaks a rule are read as usual, then the
 * next read fails with {@link MalformedRequestException}, which the handler answers with its status.
 * httpcore5 never sees a byte past the violation.
 */
final class CheckedInput extends FilterInputStream {
    private final StrictHttp1 rules;

    CheckedInput(InputStream in, StrictHttp1 rules) {
        super(in);
        this.rules = rules;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (rules.violation() != null) {
            throw new MalformedRequestException(rules.violation());
        }
        int n = super.read(b, off, len);
        if (n <= 0) {
            return n;
        }
        int fine = rules.scan(b, off, n);
        if (fine == 0 && rules.violation() != null) {
            throw new MalformedRequestException(rules.violation());
        }
        return fine;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(8192, Math.max(0, n))];
        int read = read(buf, 0, buf.length);
        return Math.max(0, read);
    }

    /** A request that breaks one of Qilin's rules. An IOException, so it leaves httpcore5 and the application unwrapped. */
    static final class MalformedRequestException extends IOException {
        private static final long serialVersionUID = 1L;
        final transient StrictHttp1.Violation violation;

        MalformedRequestException(StrictHttp1.Violation violation) {
            super(violation.reason());
            this.violation = violation;
        }
    }
}
