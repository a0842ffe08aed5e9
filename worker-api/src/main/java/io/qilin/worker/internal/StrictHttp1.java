package io.qilin.worker.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Qilin's HTTP/1.1 request rules (docs/strict-parsing.md), checked on the raw bytes of one connection as
 * they arrive, before any library parser sees them: every kind feeds its connections' bytes through one
 * of these, so the sync, gthread and vertx kinds refuse the same requests. It follows the requests on the
 * connection (heads, then bodies by Content-Length or chunks, then the next head) and stops at the first
 * byte that breaks a rule; the bytes before it are fine to hand on, the rest must never reach the parser.
 * It frames only as far as the rules need and buffers nothing; limits stay the parsers' job.
 * After a request asking for an upgrade or a {@code CONNECT}, later bytes belong to the application and
 * are let through unchecked; so is a connection that opens with HTTP/2's preface ({@code PRI * HTTP/2.0})
 * when the kind serves HTTP/2 (h2c by prior knowledge, or h2 chosen by ALPN). One instance per
 * connection; not thread-safe.
 */
public final class StrictHttp1 {
    /** A request that breaks a rule: the status to answer with, and why. */
    public record Violation(int status, String reason) {
        /** The whole answer: status line, {@code Connection: close}, a one-line text body. */
        public byte[] response() {
            String text = reason + "\n";
            String phrase = status == 501 ? "Not Implemented" : "Bad Request";
            return ("HTTP/1.1 " + status + " " + phrase + "\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: " + text.length() + "\r\n\r\n" + text).getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private enum State {
        REQUEST_LINE, METHOD, TARGET, VERSION, FIELD_START, FIELD_NAME, FIELD_VALUE,
        FIXED_BODY, CHUNK_SIZE, CHUNK_SIZE_SPACE, CHUNK_EXTENSION, CHUNK_DATA, CHUNK_DATA_END, OPAQUE
    }

    /** The longest Content-Length or Transfer-Encoding value kept for checking; longer ones are refused. */
    private static final int MAX_FRAMING_VALUE = 8190;
    /** A chunk size this large would overflow a long with one more hex digit. */
    private static final long MAX_CHUNK_SIZE_BEFORE_DIGIT = Long.MAX_VALUE >>> 4;
    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[Character.toUpperCase(c)] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    /** The fields the rules look at; the rest are only checked for their bytes. */
    private enum Field {
        HOST("host"), CONTENT_LENGTH("content-length"), TRANSFER_ENCODING("transfer-encoding"), UPGRADE("upgrade"), OTHER("");

        private final String lowerCase;

        Field(String lowerCase) {
            this.lowerCase = lowerCase;
        }

        static Field of(CharSequence name) {
            for (Field f : values()) {
                if (f.lowerCase.length() == name.length() && f.lowerCase.equalsIgnoreCase(name.toString())) {
                    return f;
                }
            }
            return OTHER;
        }
    }

    private final boolean http2;
    private boolean firstRequest = true;
    private State state = State.REQUEST_LINE;
    /** A CR was the last byte: only LF may follow. */
    private boolean cr;
    private Violation violation;
    /** Where a direct buffer's bytes are copied to be checked. */
    private byte[] scratch;

    // the request being read
    private final StringBuilder method = new StringBuilder();
    private final StringBuilder version = new StringBuilder();
    private final StringBuilder name = new StringBuilder();
    private final StringBuilder value = new StringBuilder();
    private int targetLength;
    private Field field = Field.OTHER;
    private boolean keepValue;
    private boolean trailer;
    private int hosts;
    private int lengths;
    private String length;
    private String transferEncoding;
    private boolean upgrade;
    /** Body bytes left: of the Content-Length, or of the chunk (while its size is read, the size so far). */
    private long left;
    private int digits;

    /** Rules for a connection of a kind that serves HTTP/1 only. */
    public StrictHttp1() {
        this(false);
    }

    /** With {@code http2}, a connection that opens with HTTP/2's preface is let through unchecked. */
    public StrictHttp1(boolean http2) {
        this.http2 = http2;
    }

    /** The violation that stopped the scan, or null. */
    public Violation violation() {
        return violation;
    }

    /**
     * Checks {@code buf[off..off+len)}, the next bytes of the connection. Returns how many of them are
     * fine: {@code len}, or fewer when {@link #violation()} is set, after which nothing more is accepted.
     */
    public int scan(byte[] buf, int off, int len) {
        if (violation != null) {
            return 0;
        }
        int i = off;
        int end = off + len;
        while (i < end) {
            if (state == State.OPAQUE) {
                return len;
            }
            int body = skipBody(end - i);
            if (body > 0) {
                i += body;
                continue;
            }
            if (!cr && (state == State.FIELD_VALUE && !keepValue || state == State.TARGET)) {
                int from = i;
                i = skipPlain(buf, i, end);
                targetLength += state == State.TARGET ? i - from : 0;
                if (i == end) {
                    break;
                }
            }
            if (!accept(buf[i] & 0xff)) {
                return i - off;
            }
            i++;
        }
        return len;
    }

    /**
     * Accepts, without looking at them, up to {@code max} next bytes that are body data (of a
     * Content-Length or of a chunk) or follow an upgrade; how many. Lets a caller skip copying bytes the
     * rules do not read.
     */
    public int skipBody(int max) {
        if (state == State.OPAQUE) {
            return max;
        }
        if (violation != null || cr || state != State.FIXED_BODY && state != State.CHUNK_DATA) {
            return 0;
        }
        int take = (int) Math.min(left, max);
        left -= take;
        if (left == 0) {
            state = state == State.FIXED_BODY ? State.REQUEST_LINE : State.CHUNK_DATA_END;
        }
        return take;
    }

    /**
     * The fast path through most of a head's bytes, field values and targets: the index of the first byte
     * from {@code i} that is not plain (a control byte, or for a target a space), for {@link #accept} to judge.
     */
    private int skipPlain(byte[] buf, int i, int end) {
        boolean target = state == State.TARGET;
        for (; i < end; i++) {
            int b = buf[i] & 0xff;
            if (b < 0x20 || b == 0x7f || (target && b == ' ')) {
                return i;
            }
        }
        return end;
    }

    /**
     * {@link #scan(byte[], int, int)} over {@code buf}'s remaining bytes; its position is not moved. A
     * direct buffer is copied a piece at a time, leaving out the body bytes the rules do not read.
     */
    public int scan(ByteBuffer buf) {
        if (buf.hasArray()) {
            return scan(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
        }
        if (scratch == null) {
            scratch = new byte[8192];
        }
        int fine = 0;
        for (int at = buf.position(), end = buf.limit(); at < end; ) {
            int body = skipBody(end - at);
            fine += body;
            at += body;
            if (at == end) {
                break;
            }
            int len = Math.min(scratch.length, end - at);
            buf.get(at, scratch, 0, len);
            int ok = scan(scratch, 0, len);
            fine += ok;
            if (ok < len) {
                break;
            }
            at += len;
        }
        return fine;
    }

    /** One byte; false (and {@link #violation} set) when it breaks a rule. */
    private boolean accept(int b) {
        if (cr) {
            cr = false;
            return b == '\n' ? endOfLine() : refuse("A CR not followed by LF");
        }
        if (b == '\r' && state != State.FIXED_BODY && state != State.CHUNK_DATA) {
            cr = true;
            return true;
        }
        switch (state) {
            case REQUEST_LINE:
                if (b == '\n') {
                    return refuse("An empty line before the request line"); // as Gunicorn (RFC 9112 lets servers skip it)
                }
                startRequest();
                state = State.METHOD;
                return method(b);
            case METHOD:
                return method(b);
            case TARGET:
                if (b == ' ' && targetLength > 0) {
                    state = State.VERSION;
                    return true;
                }
                targetLength++;
                return b > 0x20 && b != 0x7f || refuse(b == '\n' || b == ' ' ? "Invalid request line" : "Invalid request target");
            case VERSION:
                if (b == '\n') {
                    return endOfLine();
                }
                if (version.length() >= 8) {
                    return refuse("Invalid HTTP version");
                }
                version.append((char) b);
                return true;
            case FIELD_START:
                if (b == ' ' || b == '\t') {
                    return refuse("Obsolete line folding in a header");
                }
                if (b == '\n') {
                    return endOfLine();
                }
                name.setLength(0);
                value.setLength(0);
                state = State.FIELD_NAME;
                return fieldName(b);
            case FIELD_NAME:
                return fieldName(b);
            case FIELD_VALUE:
                if (b == '\n') {
                    return endOfLine();
                }
                if (b < 0x20 && b != '\t' || b == 0x7f) {
                    return refuse("Invalid character in the value of header '" + name + "'");
                }
                if (keepValue) {
                    if (value.length() >= MAX_FRAMING_VALUE) {
                        return refuse("Header '" + name + "' too long");
                    }
                    value.append((char) b);
                }
                return true;
            case CHUNK_SIZE:
                return chunkSize(b);
            case CHUNK_SIZE_SPACE:
                if (b == ' ' || b == '\t') {
                    return true;
                }
                if (b == ';') {
                    state = State.CHUNK_EXTENSION;
                    return true;
                }
                return refuse("Invalid chunk size");
            case CHUNK_EXTENSION:
                if (b == '\n') {
                    return endOfLine();
                }
                return b >= 0x20 && b != 0x7f || b == '\t' || refuse("Invalid character in a chunk extension");
            case CHUNK_DATA_END:
                return b == '\n' ? endOfLine() : refuse("Chunk data not followed by CRLF");
            default:
                throw new IllegalStateException(state.name());
        }
    }

    private boolean method(int b) {
        if (b == ' ' && method.length() > 0) {
            state = State.TARGET;
            return true;
        }
        if (!TOKEN[b]) {
            return refuse("Invalid method");
        }
        if (method.length() < 16) {
            method.append((char) b);
        }
        return true;
    }

    private boolean fieldName(int b) {
        if (b == ':' && name.length() > 0) {
            field = Field.of(name);
            keepValue = field == Field.CONTENT_LENGTH || field == Field.TRANSFER_ENCODING;
            state = State.FIELD_VALUE;
            return true;
        }
        if (b == ' ' || b == '\t') {
            return refuse("Whitespace before the colon of header '" + name + "'");
        }
        if (!TOKEN[b]) {
            return refuse(b == '\n' || b == ':' ? "Invalid header line" : "Invalid header name");
        }
        if (name.length() < MAX_FRAMING_VALUE) {
            name.append((char) b);
        }
        return true;
    }

    private boolean chunkSize(int b) {
        int digit = Character.digit(b, 16);
        if (digit >= 0) {
            if (left > MAX_CHUNK_SIZE_BEFORE_DIGIT) {
                return refuse("Chunk size too large");
            }
            left = left * 16 + digit;
            digits++;
            return true;
        }
        if (digits == 0) {
            return refuse("Invalid chunk size");
        }
        if (b == '\n') {
            return endOfLine();
        }
        if (b == ';') {
            state = State.CHUNK_EXTENSION;
            return true;
        }
        if (b == ' ' || b == '\t') {
            state = State.CHUNK_SIZE_SPACE;
            return true;
        }
        return refuse("Invalid chunk size");
    }

    /** A line ended (its LF read). */
    private boolean endOfLine() {
        switch (state) {
            case TARGET:
            case METHOD:
                return refuse("Invalid request line");
            case VERSION: {
                String v = version.toString();
                if (http2 && firstRequest && v.equals("HTTP/2.0") && targetLength == 1 && method.toString().equals("PRI")) {
                    state = State.OPAQUE; // HTTP/2's connection preface: the HTTP/2 library checks the rest
                    return true;
                }
                firstRequest = false;
                if (!v.equals("HTTP/1.1") && !v.equals("HTTP/1.0")) {
                    return refuse("Invalid HTTP version '" + v + "'");
                }
                state = State.FIELD_START;
                return true;
            }
            case FIELD_VALUE:
                endOfField();
                state = State.FIELD_START;
                return true;
            case FIELD_START:
                return trailer ? endOfRequest() : endOfHead();
            case CHUNK_SIZE:
            case CHUNK_EXTENSION:
                if (digits == 0) {
                    return refuse("Invalid chunk size");
                }
                if (left == 0) {
                    trailer = true; // the last chunk: trailer fields, then the blank line
                    state = State.FIELD_START;
                } else {
                    state = State.CHUNK_DATA;
                }
                return true;
            case CHUNK_SIZE_SPACE:
                return refuse("Invalid chunk size"); // whitespace is allowed only before an extension
            case CHUNK_DATA_END:
                startChunk();
                return true;
            case FIELD_NAME:
                return refuse("Invalid header line");
            case REQUEST_LINE:
                return refuse("An empty line before the request line");
            default:
                throw new IllegalStateException(state.name());
        }
    }

    private void endOfField() {
        if (trailer) {
            return;
        }
        switch (field) {
            case HOST:
                hosts++;
                break;
            case CONTENT_LENGTH:
                lengths++;
                length = value.toString().strip();
                break;
            case TRANSFER_ENCODING:
                String v = value.toString().strip();
                transferEncoding = transferEncoding == null ? v : transferEncoding + "," + v;
                break;
            case UPGRADE:
                upgrade = true;
                break;
            default:
                break;
        }
    }

    /** The head is complete: the framing rules, then on to the body. */
    private boolean endOfHead() {
        boolean http11 = version.toString().equals("HTTP/1.1");
        if (hosts > 1) {
            return refuse("Duplicate Host header");
        }
        if (hosts == 0 && http11) {
            return refuse("Missing Host header");
        }
        if (lengths > 1) {
            return refuse("Duplicate Content-Length header");
        }
        if (lengths == 1 && !length.matches("[0-9]{1,18}")) {
            return refuse("Invalid Content-Length '" + length + "'");
        }
        if (transferEncoding != null) {
            if (lengths > 0) {
                return refuse("Content-Length and Transfer-Encoding together");
            }
            if (!http11) {
                return refuse("Transfer-Encoding in an HTTP/1.0 request");
            }
            String[] codings = transferEncoding.toLowerCase(Locale.ROOT).split(",", -1);
            for (int i = 0; i < codings.length; i++) {
                String coding = codings[i].strip();
                if (coding.isEmpty()) {
                    return refuse("An empty coding in Transfer-Encoding '" + transferEncoding + "'");
                }
                if (!coding.matches("chunked|identity|gzip|deflate|compress|x-gzip|x-compress")) {
                    return refuse(501, "Unsupported transfer coding '" + coding + "'"); // as Gunicorn
                }
                if (coding.equals("chunked") != (i == codings.length - 1)) {
                    return refuse("Transfer-Encoding '" + transferEncoding + "' does not end with a single chunked");
                }
            }
            startChunk();
            return true;
        }
        if (upgrade || method.toString().equals("CONNECT")) {
            state = State.OPAQUE;
            return true;
        }
        left = lengths == 1 ? Long.parseLong(length) : 0;
        state = left > 0 ? State.FIXED_BODY : State.REQUEST_LINE;
        return true;
    }

    private boolean endOfRequest() {
        state = State.REQUEST_LINE;
        return true;
    }

    private void startRequest() {
        method.setLength(0);
        targetLength = 0;
        version.setLength(0);
        trailer = false;
        hosts = 0;
        lengths = 0;
        length = null;
        transferEncoding = null;
        upgrade = false;
        left = 0;
    }

    private void startChunk() {
        digits = 0;
        left = 0;
        state = State.CHUNK_SIZE;
    }

    private boolean refuse(String reason) {
        return refuse(400, reason);
    }

    private boolean refuse(int status, String reason) {
        violation = new Violation(status, reason);
        return false;
    }
}
