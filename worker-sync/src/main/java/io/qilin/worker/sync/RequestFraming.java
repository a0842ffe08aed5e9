package io.qilin.worker.sync;

import io.qilin.worker.internal.StrictHttp1;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Tells, from the bytes of a connection received so far, whether its request is complete: the head
 * up to the blank line, then the body by {@code Content-Length} or by chunks. It only frames; the
 * request handler parses and validates. A request it cannot frame (two lengths, a bad chunk size, a
 * head over the limits) counts as complete as received, so the handler refuses it with Gunicorn's status.
 * Scanning is incremental: each call looks only at the bytes added since the last one.
 */
final class RequestFraming {
    enum Status { NEED_MORE, COMPLETE, TOO_LARGE }

    /** The longest chunk-size or trailer line read before the chunking counts as malformed. */
    private static final int MAX_CHUNK_LINE = 8192;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private enum Chunk { SIZE, DATA, DATA_END, TRAILER }

    /** Qilin's request rules: a request that breaks one is handed on at once, for the handler to refuse. */
    private final StrictHttp1 rules = new StrictHttp1();
    private int checked;
    private final int maxHead;
    private final long maxBody;
    private int headEnd = -1;
    private int scanned;
    /** The first byte after the request, once it is complete. */
    private int end = -1;
    private boolean tooLarge;
    private boolean chunked;
    private boolean expectContinue;
    private Chunk chunk = Chunk.SIZE;
    private long chunkLeft;
    private long bodyBytes;

    /**
     * @param maxHead the longest head the limits allow; a longer one is handed on as it is, to be refused
     * @param maxBody the largest body, 0 for no limit
     */
    RequestFraming(int maxHead, long maxBody) {
        this.maxHead = maxHead;
        this.maxBody = maxBody;
    }

    /** Looks at {@code buf[0..len)}, of which {@code buf[0..previous len)} was seen before. */
    Status scan(byte[] buf, int len) {
        if (tooLarge) {
            return Status.TOO_LARGE;
        }
        if (end >= 0) {
            return len >= end ? Status.COMPLETE : Status.NEED_MORE;
        }
        rules.scan(buf, checked, len - checked);
        checked = len;
        if (rules.violation() != null) {
            end = len;
            return Status.COMPLETE;
        }
        if (headEnd < 0) {
            headEnd = findBlankLine(buf, Math.max(0, scanned - 3), len);
            scanned = len;
            if (headEnd < 0) {
                if (len > maxHead) {
                    end = len; // the handler refuses it (400 or 431)
                }
                return end >= 0 ? Status.COMPLETE : Status.NEED_MORE;
            }
            readHead(new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1));
            if (tooLarge) {
                return Status.TOO_LARGE;
            }
            if (end >= 0) {
                return len >= end ? Status.COMPLETE : Status.NEED_MORE;
            }
            scanned = headEnd;
        }
        if (chunked) {
            scanChunks(buf, len);
        }
        if (tooLarge) {
            return Status.TOO_LARGE;
        }
        return end >= 0 && len >= end ? Status.COMPLETE : Status.NEED_MORE;
    }

    /** True once the head is complete and asks for {@code 100 Continue} before a body that has not come. */
    boolean wantsContinue(int len) {
        return expectContinue && headEnd >= 0 && len == headEnd && end != headEnd;
    }

    static byte[] continueResponse() {
        return CONTINUE.clone();
    }

    boolean headComplete() {
        return headEnd >= 0;
    }

    /** Where the request ends in the buffer; valid once {@link #scan} said COMPLETE. */
    int end() {
        return end;
    }

    private void readHead(String head) {
        String[] lines = head.split("\n");
        boolean http10 = lines[0].trim().endsWith("HTTP/1.0");
        String length = null;
        int lengths = 0;
        String transferEncoding = null;
        String expect = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue; // the handler refuses it
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = value;
                lengths++;
            } else if (name.equals("transfer-encoding")) {
                transferEncoding = transferEncoding == null ? value : transferEncoding + "," + value;
            } else if (name.equals("expect")) {
                expect = value;
            }
        }
        if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
            end = headEnd; // 417 at once, without waiting for a body
            return;
        }
        expectContinue = expect != null && !http10;
        if (transferEncoding != null) {
            String[] codings = transferEncoding.split(",");
            if (lengths > 0 || http10 || !codings[codings.length - 1].trim().equalsIgnoreCase("chunked")) {
                end = headEnd; // the handler refuses the framing
            } else {
                chunked = true;
            }
            return;
        }
        if (lengths == 0) {
            end = headEnd;
            return;
        }
        if (lengths > 1 || !length.matches("[0-9]{1,18}")) {
            end = headEnd;
            return;
        }
        long declared = Long.parseLong(length);
        if (maxBody > 0 && declared > maxBody) {
            tooLarge = true;
            return;
        }
        end = (int) Math.min(Integer.MAX_VALUE, headEnd + declared);
    }

    private void scanChunks(byte[] buf, int len) {
        int p = scanned;
        while (end < 0 && p < len) {
            switch (chunk) {
                case SIZE: {
                    int nl = indexOf(buf, (byte) '\n', p, len);
                    if (nl < 0) {
                        malformedIf(len - p > MAX_CHUNK_LINE, len);
                        scanned = p;
                        return;
                    }
                    String line = new String(buf, p, nl - p, StandardCharsets.ISO_8859_1).trim();
                    int semi = line.indexOf(';');
                    String size = (semi >= 0 ? line.substring(0, semi) : line).trim();
                    p = nl + 1;
                    if (!size.matches("[0-9a-fA-F]{1,15}")) {
                        end = len; // the handler refuses the chunking
                        return;
                    }
                    chunkLeft = Long.parseLong(size, 16);
                    bodyBytes += chunkLeft;
                    if (maxBody > 0 && bodyBytes > maxBody) {
                        tooLarge = true;
                        return;
                    }
                    chunk = chunkLeft == 0 ? Chunk.TRAILER : Chunk.DATA;
                    break;
                }
                case DATA: {
                    int take = (int) Math.min(chunkLeft, len - p);
                    p += take;
                    chunkLeft -= take;
                    if (chunkLeft == 0) {
                        chunk = Chunk.DATA_END;
                    }
                    break;
                }
                case DATA_END: {
                    int nl = indexOf(buf, (byte) '\n', p, len);
                    if (nl < 0) {
                        malformedIf(len - p > 2, len);
                        scanned = p;
                        return;
                    }
                    p = nl + 1;
                    chunk = Chunk.SIZE;
                    break;
                }
                case TRAILER: {
                    int nl = indexOf(buf, (byte) '\n', p, len);
                    if (nl < 0) {
                        malformedIf(len - p > MAX_CHUNK_LINE, len);
                        scanned = p;
                        return;
                    }
                    boolean blank = nl == p || (nl == p + 1 && buf[p] == '\r');
                    p = nl + 1;
                    if (blank) {
                        end = p;
                    }
                    break;
                }
                default:
                    throw new IllegalStateException(chunk.name());
            }
        }
        scanned = p;
    }

    private void malformedIf(boolean malformed, int len) {
        if (malformed) {
            end = len;
        }
    }

    /** The offset just past the first empty line ({@code \n\n} or {@code \n\r\n}) at or after {@code from}. */
    static int findBlankLine(byte[] buf, int from, int len) {
        for (int i = from; i < len; i++) {
            if (buf[i] != '\n' || i == 0) {
                continue;
            }
            if (buf[i - 1] == '\n') {
                return i + 1;
            }
            if (buf[i - 1] == '\r' && i >= 2 && buf[i - 2] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] buf, byte b, int from, int len) {
        for (int i = from; i < len; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
